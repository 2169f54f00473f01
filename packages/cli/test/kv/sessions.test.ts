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
import { RedisServer } from "@layeron/test-support/redis-server"
import { EXAMPLE_APP } from "../support/cli-process.ts"
import { kvCli, ok } from "./support/kv-cli.ts"
import { SessionExample, SESSION_STORE as STORE } from "./support/session-example.ts"

const DAY = 24 * 60 * 60
const dir = mkdtempSync(join(tmpdir(), "layeron-kv-sessions-"))
const example = new SessionExample()
let redis: RedisServer

before(async () => {
  await example.load()
  redis = await new RedisServer().start()
})

after(async () => {
  await example.dispose()
  await redis?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe("layeron kv moves the docs' sessions", () => {
  it("export from SQLite and import into another SQLite file keep every session and its expiry", async () => {
    const from = `sqlite:${join(dir, "export-from.db")}`
    const to = `sqlite:${join(dir, "import-to.db")}`
    const sessions = await example.makeSessions(from)
    const dump = join(dir, "sessions.ndjson")
    const exported = ok(await kvCli(["export", EXAMPLE_APP, STORE], { env: { LAYERON_KV: from } }))
    writeFileSync(dump, exported.stdout)
    assert.equal(exported.text.trim().split("\n").length, 2, "two live sessions, one line each")
    assert.match(exported.stderr, /^layeron kv export: 2 entries from auth\/user-sessions\n$/)

    const imported = ok(await kvCli(["import", EXAMPLE_APP, STORE], { env: { LAYERON_KV: to }, stdinFile: dump }))
    assert.equal(imported.text, "layeron kv import: 2 entries into auth/user-sessions\n")
    assert.deepEqual(
      await example.listed(to),
      await example.listed(from),
      "same keys, same expiries to the millisecond",
    )
    await example.assertSessionsLive(to, sessions)
  })

  it("copy from SQLite to Redis keeps every session and its expiry", async () => {
    const from = `sqlite:${join(dir, "copy-from.db")}`
    const sessions = await example.makeSessions(from)
    const run = ok(await kvCli(["copy", EXAMPLE_APP, "--from", from, "--to", redis.url]))
    assert.equal(run.text, "layeron kv copy: 2 entries of auth/user-sessions\n")
    assert.deepEqual(await example.listed(redis.url), await example.listed(from))
    // Back out of Redis by its one-pass walk: the same sessions, expiries to the millisecond.
    const out = ok(await kvCli(["export", EXAMPLE_APP, STORE], { env: { LAYERON_KV: redis.url } }))
    const sorted = (text: string) =>
      text
        .trimEnd()
        .split("\n")
        .map((entry) => JSON.parse(entry))
        .sort((a, b) => (a.key < b.key ? -1 : 1))
    const fromSqlite = ok(await kvCli(["export", EXAMPLE_APP, STORE], { env: { LAYERON_KV: from } }))
    assert.deepEqual(sorted(out.text), sorted(fromSqlite.text))
    // Redis expires them itself too, at their own instants.
    const pttl = Number(await redis.cli("pttl", `layeron:kv:{auth/user-sessions/session:${sessions.month}}`))
    assert.ok(pttl > 30 * DAY * 1000 - 120_000 && pttl <= 30 * DAY * 1000, `30 days in Redis: ${pttl} ms`)
    await example.assertSessionsLive(redis.url, sessions)
  })
})
