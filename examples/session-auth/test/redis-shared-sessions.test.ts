// The docs' session example as two separate app processes (`layeron start`)
// on one Redis: a session made on one is valid on the other, and a logout on
// one takes effect on the other at its very next request, also when each
// process keeps a read cache (?cache=on).
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { RedisServer } from "@layeron/test-support/redis-server"
import { type CliServer, startExample } from "./support/cli-server.ts"

let redis: RedisServer
const apps: CliServer[] = []

async function startApp(kvUrl = redis.url): Promise<CliServer> {
  const app = await startExample(kvUrl)
  apps.push(app)
  return app
}

before(async () => {
  redis = await new RedisServer().start()
})

after(async () => {
  await Promise.all(
    apps.map(async (app) => {
      process.kill(app.pid, "SIGTERM")
      await app.exit
    }),
  )
  await redis?.dispose()
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

describe("two processes of the session example on one Redis", () => {
  let a: CliServer
  let b: CliServer

  before(async () => {
    ;[a, b] = await Promise.all([startApp(), startApp()])
    assert.notEqual(a.url, b.url)
  })

  test("a session made on A is valid on B, and a logout on B ends it on A at the next request", async () => {
    const token = await login(a, { email: "ada@example.com" })
    const onB = await profile(b, token)
    assert.equal(onB.status, 200)
    assert.deepEqual(await onB.json(), { message: "Hello, ada@example.com!", roles: ["admin"] })
    assert.equal((await profile(a, token)).status, 200)

    assert.equal((await logout(b, token)).status, 200)
    assert.equal((await profile(a, token)).status, 401)
    assert.equal((await profile(b, token)).status, 401)
  })

  test("sessions live in Redis with its own expiry: 24 hours, or 30 days with rememberMe", async () => {
    const day = await login(b, { email: "day@example.com" })
    const month = await login(b, { email: "month@example.com", rememberMe: true })
    assert.equal((await profile(a, month)).status, 200)
    const remaining = async (token: string) =>
      Number(await redis.cli("pttl", `layeron:kv:{auth/user-sessions/session:${token}}`)) / 1000
    const dayLeft = await remaining(day)
    const monthLeft = await remaining(month)
    assert.ok(dayLeft > 86_400 - 60 && dayLeft <= 86_400, `a day: ${dayLeft} s`)
    assert.ok(monthLeft > 2_592_000 - 60 && monthLeft <= 2_592_000, `30 days: ${monthLeft} s`)
  })

  test("Redis down: both answer 503, not 500 and not a hang; Redis back: logins work again", async () => {
    const token = await login(a, { email: "grace@example.com" })
    await redis.kill()
    for (const app of [a, b]) {
      const start = performance.now()
      assert.equal((await profile(app, token)).status, 503)
      assert.ok(performance.now() - start < 1000)
    }
    await redis.start()
    const deadline = Date.now() + 5000
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
    // Each process reconnects on its own (at most a second apart): A may come back a moment after B.
    let seenOnA: number
    do {
      seenOnA = (await profile(a, fresh)).status
      if (seenOnA === 200) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    } while (Date.now() < deadline + 2000)
    assert.equal(seenOnA, 200)
  })
})

describe("two processes with the read cache on", () => {
  let a: CliServer
  let b: CliServer

  before(async () => {
    ;[a, b] = await Promise.all([startApp(`${redis.url}?cache=on`), startApp(`${redis.url}?cache=on`)])
  })

  test("a logout on one process ends the session cached by the other at its next request, every time", async () => {
    for (let round = 0; round < 50; round++) {
      const [first, second] = round % 2 === 0 ? [a, b] : [b, a]
      const token = await login(first, { email: `user${round}@example.com` })
      // Read twice on the other process: the second read is answered from its cache.
      assert.equal((await profile(second, token)).status, 200)
      assert.equal((await profile(second, token)).status, 200)
      assert.equal((await logout(first, token)).status, 200)
      assert.equal((await profile(second, token)).status, 401, `round ${round}: a stale session was served`)
      assert.equal((await profile(first, token)).status, 401)
    }
  })
})
