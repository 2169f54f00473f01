// The docs' session example as two separate app processes (`layeron start`)
// on one PostgreSQL (a private server the test starts): a session made on one
// is valid on the other, a logout on one takes effect on the other at its
// very next request, and a database that goes away is a 503 on both, then
// nothing to do when it is back.
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { POSTGRES_PASSWORD, PostgresServer } from "@layeron/test-support/postgres-server"
import { type CliServer, startExample } from "./support/cli-server.ts"

let postgres: PostgresServer
const apps: CliServer[] = []

before(async () => {
  postgres = await new PostgresServer().start()
})

after(async () => {
  await Promise.all(
    apps.map(async (app) => {
      process.kill(app.pid, "SIGTERM")
      await app.exit
    }),
  )
  await postgres?.dispose()
})

async function login(app: CliServer, body: object): Promise<string> {
  const response = await fetch(`${app.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  })
  assert.equal(response.status, 200, app.output())
  return ((await response.json()) as { token: string }).token
}

function profile(app: CliServer, token: string): Promise<Response> {
  return fetch(`${app.url}/api/profile`, { headers: { authorization: `Bearer ${token}` } })
}

function logout(app: CliServer, token: string): Promise<Response> {
  return fetch(`${app.url}/api/auth/logout`, { method: "POST", headers: { authorization: `Bearer ${token}` } })
}

describe("two processes of the session example on one PostgreSQL", () => {
  let a: CliServer
  let b: CliServer

  before(async () => {
    // postgresql:// for one, postgres:// for the other: the same database either way.
    const other = postgres.url.replace(/^postgres:/, "postgresql:")
    ;[a, b] = await Promise.all([startExample(postgres.url), startExample(other)])
    apps.push(a, b)
    assert.notEqual(a.url, b.url)
  })

  test("a session made on A is valid on B, and a logout on B ends it on A at the next request", async () => {
    for (let round = 0; round < 20; round++) {
      const [first, second] = round % 2 === 0 ? [a, b] : [b, a]
      const token = await login(first, { email: `user${round}@example.com` })
      const seen = await profile(second, token)
      assert.equal(seen.status, 200)
      assert.deepEqual(await seen.json(), { message: `Hello, user${round}@example.com!`, roles: ["admin"] })
      assert.equal((await logout(second, token)).status, 200)
      assert.equal((await profile(first, token)).status, 401, `round ${round}: a logged-out session was served`)
      assert.equal((await profile(second, token)).status, 401)
    }
  })

  test("sessions are rows of one table, expiring in 24 hours, or 30 days with rememberMe", async () => {
    const day = await login(b, { email: "day@example.com" })
    const month = await login(a, { email: "month@example.com", rememberMe: true })
    const remaining = async (token: string) => {
      const key = `auth/user-sessions/session:${token}`
      const text = await postgres.sql(
        `SELECT (expires_at - extract(epoch FROM clock_timestamp()) * 1000) / 1000 FROM layeron_kv
         WHERE convert_from(key, 'UTF8') LIKE '%${key.replace(/'/g, "''")}'`,
      )
      return Number(text)
    }
    const dayLeft = await remaining(day)
    const monthLeft = await remaining(month)
    assert.ok(dayLeft > 86_400 - 60 && dayLeft <= 86_400, `a day: ${dayLeft} s`)
    assert.ok(monthLeft > 2_592_000 - 60 && monthLeft <= 2_592_000, `30 days: ${monthLeft} s`)
    assert.equal(
      await postgres.sql("SELECT obj_description('layeron_kv'::regclass, 'pg_class')"),
      "layeron storage.kv, schema 1",
    )
  })

  test("PostgreSQL down: both answer 503 within a second, not 500 and not a hang; back: logins work again", async () => {
    const token = await login(a, { email: "grace@example.com" })
    await postgres.stop()
    for (const app of [a, b]) {
      const start = performance.now()
      assert.equal((await profile(app, token)).status, 503)
      assert.ok(performance.now() - start < 1000)
    }
    await postgres.start()
    const deadline = Date.now() + 8000
    let response: Response
    do {
      response = await fetch(`${b.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "grace@example.com" }),
      })
      if (response.status === 200) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    } while (Date.now() < deadline)
    assert.equal(response.status, 200)
    const fresh = ((await response.json()) as { token: string }).token
    let seenOnA: number
    do {
      seenOnA = (await profile(a, fresh)).status
      if (seenOnA === 200) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    } while (Date.now() < deadline)
    assert.equal(seenOnA, 200)
    assert.equal((await profile(a, token)).status, 200, "the session made before the outage is still there")
    for (const app of [a, b]) assert.ok(!app.output().includes(POSTGRES_PASSWORD), "no password in the output")
  })
})
