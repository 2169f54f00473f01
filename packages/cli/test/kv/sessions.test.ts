// The docs' session example on SQLite, moved with `layeron kv`: sessions made
// by its login route still verify after an export and import into another
// SQLite file, and after a copy to Redis, with their 24-hour and 30-day
// expiries exactly as they were. The app runs in this process on a fake
// clock (to move time); the moves run through the real `layeron` binary.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import type { Backend } from "@layeron/core"
import { createdBackends } from "@layeron/core/internal"
import { useFakeClock } from "@layeron/modules/testing"
import { RedisServer } from "@layeron/test-support/redis-server"
import { EXAMPLE_APP } from "../support/cli-process.ts"
import { kvCli, ok } from "./support/kv-cli.ts"

const DAY = 24 * 60 * 60
const STORE = "auth/user-sessions"
const dir = mkdtempSync(join(tmpdir(), "layeron-kv-sessions-"))
const clock = useFakeClock()
let app: Backend<unknown>
let redis: RedisServer

before(async () => {
  await import(EXAMPLE_APP)
  const created = createdBackends().at(-1)
  assert.ok(created, "the example created an app")
  app = created
  redis = await new RedisServer().start()
})

after(async () => {
  await app?.close()
  clock.restore()
  await redis?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

/** Serves the example on this backend from now on. */
async function serveOn(kvUrl: string): Promise<void> {
  await app.close()
  await app.start({ LAYERON_KV: kvUrl })
}

async function login(body: object): Promise<string> {
  const response = await app.fetch(
    new Request("http://app/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  )
  assert.equal(response.status, 200)
  return ((await response.json()) as { token: string }).token
}

async function profile(token: string): Promise<number> {
  const response = await app.fetch(
    new Request("http://app/api/profile", { headers: { authorization: `Bearer ${token}` } }),
  )
  return response.status
}

async function listed(kvUrl: string): Promise<unknown> {
  const run = ok(await kvCli(["list", EXAMPLE_APP, STORE, "--json"], { env: { LAYERON_KV: kvUrl } }))
  return JSON.parse(run.text)
}

/** Logs in a 24-hour and a 30-day session (and one to log out) on `kvUrl`, at the clock's now. */
async function makeSessions(kvUrl: string) {
  clock.set(Date.now())
  await serveOn(kvUrl)
  const day = await login({ email: "day@example.com" })
  const month = await login({ email: "month@example.com", rememberMe: true })
  const gone = await login({ email: "gone@example.com" })
  await app.fetch(
    new Request("http://app/api/auth/logout", { method: "POST", headers: { authorization: `Bearer ${gone}` } }),
  )
  await app.close()
  return { day, month, gone }
}

/** The sessions verify on `kvUrl`, and end exactly 24 hours and 30 days after they were made. */
async function assertSessionsLive(kvUrl: string, sessions: { day: string; month: string; gone: string }) {
  await serveOn(kvUrl)
  assert.equal(await profile(sessions.day), 200, "the 24-hour session verifies")
  assert.equal(await profile(sessions.month), 200, "the 30-day session verifies")
  assert.equal(await profile(sessions.gone), 401, "a logged-out session stays logged out")
  clock.advanceSeconds(DAY - 1)
  assert.equal(await profile(sessions.day), 200, "a second before 24 hours")
  clock.advanceSeconds(1)
  assert.equal(await profile(sessions.day), 401, "at 24 hours")
  assert.equal(await profile(sessions.month), 200)
  clock.advanceSeconds(29 * DAY - 1)
  assert.equal(await profile(sessions.month), 200, "a second before 30 days")
  clock.advanceSeconds(1)
  assert.equal(await profile(sessions.month), 401, "at 30 days")
  await app.close()
}

describe("layeron kv moves the docs' sessions", () => {
  it("export from SQLite and import into another SQLite file keep every session and its expiry", async () => {
    const from = `sqlite:${join(dir, "export-from.db")}`
    const to = `sqlite:${join(dir, "import-to.db")}`
    const sessions = await makeSessions(from)
    const dump = join(dir, "sessions.ndjson")
    const exported = ok(await kvCli(["export", EXAMPLE_APP, STORE], { env: { LAYERON_KV: from } }))
    writeFileSync(dump, exported.stdout)
    assert.equal(exported.text.trim().split("\n").length, 2, "two live sessions, one line each")
    assert.match(exported.stderr, /^layeron kv export: 2 entries from auth\/user-sessions\n$/)

    const imported = ok(await kvCli(["import", EXAMPLE_APP, STORE], { env: { LAYERON_KV: to }, stdinFile: dump }))
    assert.equal(imported.text, "layeron kv import: 2 entries into auth/user-sessions\n")
    assert.deepEqual(await listed(to), await listed(from), "same keys, same expiries to the millisecond")
    await assertSessionsLive(to, sessions)
  })

  it("copy from SQLite to Redis keeps every session and its expiry", async () => {
    const from = `sqlite:${join(dir, "copy-from.db")}`
    const sessions = await makeSessions(from)
    const run = ok(await kvCli(["copy", EXAMPLE_APP, "--from", from, "--to", redis.url]))
    assert.equal(run.text, "layeron kv copy: 2 entries of auth/user-sessions\n")
    assert.deepEqual(await listed(redis.url), await listed(from))
    // Redis expires them itself too, at their own instants.
    const pttl = Number(await redis.cli("pttl", `layeron:kv:{auth/user-sessions/session:${sessions.month}}`))
    assert.ok(pttl > 30 * DAY * 1000 - 120_000 && pttl <= 30 * DAY * 1000, `30 days in Redis: ${pttl} ms`)
    await assertSessionsLive(redis.url, sessions)
  })
})
