// `layeron kv` against PostgreSQL, through the real binary and a private
// server: the docs' sessions copied from a SQLite file to postgres:// still
// verify and end at their own instants, and an export then import on
// PostgreSQL gives back every byte, content type, metadata and expiry.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { PostgresServer } from "@layeron/test-support/postgres-server"
import { EXAMPLE_APP } from "../support/cli-process.ts"
import { APP, ENTRIES, exported, putEntries, STORE, snapshot } from "./support/blob-entries.ts"
import { kvCli, ok } from "./support/kv-cli.ts"
import { SessionExample } from "./support/session-example.ts"

const dir = mkdtempSync(join(tmpdir(), "layeron-kv-postgres-"))
const example = new SessionExample()
let postgres: PostgresServer

before(async () => {
  await example.load()
  postgres = await new PostgresServer().start()
})

after(async () => {
  await example.dispose()
  await postgres?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

/** A database of its own on the server, and its URL. */
async function database(name: string): Promise<string> {
  await postgres.sql(`CREATE DATABASE ${name}`)
  return postgres.url.replace(/\/postgres$/, `/${name}`)
}

describe("layeron kv on PostgreSQL", () => {
  it("copy of the docs' sessions from SQLite to postgres:// keeps every session and its expiry", async () => {
    const from = `sqlite:${join(dir, "sessions.db")}`
    const to = await database("sessions")
    const sessions = await example.makeSessions(from)
    const run = ok(await kvCli(["copy", EXAMPLE_APP, "--from", from, "--to", to]))
    assert.equal(run.text, "layeron kv copy: 2 entries of auth/user-sessions\n")
    assert.doesNotMatch(run.stderr + run.text, /s3cr/, "no password in the output")
    assert.deepEqual(
      await example.listed(to),
      await example.listed(from),
      "same keys, same expiries to the millisecond",
    )
    await example.assertSessionsLive(to, sessions)
  })

  it("export then import on PostgreSQL gives back every byte, content type, metadata and expiry", async () => {
    const source = await database("blobs_from")
    const target = await database("blobs_to")
    await putEntries(dir, source)
    const original = await snapshot(dir, source)
    assert.equal(Object.keys(original).length, ENTRIES.length)
    const dump = join(dir, "dump.ndjson")
    const run = ok(await kvCli(["export", APP, STORE], { env: { LAYERON_KV: source } }))
    writeFileSync(dump, run.stdout)
    assert.equal(run.text.trimEnd().split("\n").length, ENTRIES.length)
    ok(await kvCli(["import", APP, STORE], { env: { LAYERON_KV: target }, stdinFile: dump }))
    assert.deepEqual(await exported(target), original)
  })
})
