// Mistakes given to `layeron kv` are one line on stderr and a non-zero exit,
// never a stack trace; a dump with a bad line is imported up to that line and
// no further, and the message names the line and says what was written.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { fixture } from "../support/cli-process.ts"
import { type KvRun, kvCli, ok } from "./support/kv-cli.ts"

const APP = fixture("kv-stores.ts")
const STORE = "files/blobs"
const dir = mkdtempSync(join(tmpdir(), "layeron-kv-bad-input-"))

after(() => rmSync(dir, { recursive: true, force: true }))

/** Exited 1 with exactly one line on stderr, matching `pattern`, and no stack trace. */
function failsWithOneLine(run: KvRun, pattern: RegExp): void {
  assert.equal(run.code, 1, run.stderr)
  const lines = run.stderr.trimEnd().split("\n")
  assert.equal(lines.length, 1, `one line:\n${run.stderr}`)
  assert.match(lines[0] as string, pattern)
  assert.doesNotMatch(run.stderr, /\n\s+at /)
}

const line = (key: string, extra: object = {}) => JSON.stringify({ key, value: `value of ${key}`, ...extra })

/** Imports `lines` into a fresh SQLite file; returns the run and the keys now in the store. */
async function importLines(name: string, lines: string[]): Promise<{ run: KvRun; keys: string[] }> {
  const dump = join(dir, `${name}.ndjson`)
  writeFileSync(dump, `${lines.join("\n")}\n`)
  const env = { LAYERON_KV: `sqlite:${join(dir, `${name}.db`)}` }
  const run = await kvCli(["import", APP, STORE], { env, stdinFile: dump })
  const listed = ok(await kvCli(["list", APP, STORE, "--json"], { env }))
  return { run, keys: (JSON.parse(listed.text) as { name: string }[]).map((key) => key.name) }
}

describe("layeron kv refuses bad input on one line", () => {
  it("an unknown store names the stores the app declares", async () => {
    const run = await kvCli(["list", APP, "auth/sessions"], { env: { LAYERON_KV: "memory:" } })
    failsWithOneLine(
      run,
      /^layeron: No store "auth\/sessions" in the app; it declares auth\/user-sessions, files\/blobs$/,
    )
  })

  it("a malformed line stops the import there: the lines before it are written, none after, and it says so", async () => {
    const { run, keys } = await importLines("malformed", [line("a"), line("b"), '{"key":"c","value":', line("d")])
    failsWithOneLine(
      run,
      /^layeron: line 3: not JSON \(.+\); imported 2 entries from the lines before it, nothing from it on$/,
    )
    assert.equal(run.text, "", "no line reports the import done")
    assert.deepEqual(keys, ["a", "b"])
  })

  it("a line over the store's limits names the line and the limit", async () => {
    const cases: [string, object, RegExp][] = [
      ["key", { key: "k".repeat(513) }, /line 2: storage\.kv\(files\/blobs\): key "k+\.\.\."? .*512/],
      ["metadata", { metadata: { blob: "m".repeat(1100) } }, /line 2: .*metadata .*1024/],
      [
        "value",
        { value: Buffer.alloc(25 * 1024 * 1024 + 1).toString("base64"), base64: true },
        /line 2: .*(25 MiB|26214400)/,
      ],
      ["expiresAt", { expiresAt: "tomorrow" }, /line 2: expiresAt must be an instant such as/],
      ["field", { ttl: 60 }, /line 2: unknown field "ttl"/],
    ]
    for (const [name, extra, pattern] of cases) {
      const { run, keys } = await importLines(`limit-${name}`, [line("ok"), line("bad", extra), line("after")])
      failsWithOneLine(run, pattern)
      assert.match(run.stderr, /imported 1 entry from the lines before it, nothing from it on/)
      assert.deepEqual(keys, ["ok"], name)
    }
  })

  it("a line longer than any entry can be is refused without reading it whole", async () => {
    const huge = `{"key":"huge","value":"${"x".repeat(48 * 1024 * 1024)}"}`
    const { run, keys } = await importLines("too-long", [line("ok"), huge])
    failsWithOneLine(run, /^layeron: line 2: longer than 48 MiB, the most a line may hold .*; imported 1 entry/)
    assert.deepEqual(keys, ["ok"])
  })

  it("expired entries are skipped, and a wrangler file is recognised for what it is", async () => {
    const past = new Date(Date.now() - 1000).toISOString()
    const skipped = await importLines("expired", [line("live"), line("dead", { expiresAt: past })])
    assert.equal(
      ok(skipped.run).text,
      "layeron kv import: 1 entries into files/blobs (skipped 1 expired or expiring within a minute)\n",
    )
    assert.deepEqual(skipped.keys, ["live"])
    const wrangler = await importLines("wrangler", ['[{"key":"a","value":"b"}]'])
    failsWithOneLine(wrangler.run, /line 1: this is a JSON array \(a wrangler bulk file\?\)/)
  })

  it("bad options and arguments are one line each", async () => {
    const env = { LAYERON_KV: "memory:" }
    failsWithOneLine(await kvCli(["get", APP, STORE], { env }), /needs the key/)
    failsWithOneLine(await kvCli(["get", APP, STORE, "missing"], { env }), /No key "missing" in files\/blobs/)
    failsWithOneLine(await kvCli(["put", APP, STORE, "k", "v", "--ttl", "5"], { env }), /ttlSeconds .*60/)
    failsWithOneLine(
      await kvCli(["put", APP, STORE, "k", "v", "--metadata", "{nope"], { env }),
      /--metadata takes JSON/,
    )
    failsWithOneLine(await kvCli(["export", APP, STORE, "--format", "csv"], { env }), /--format takes ndjson/)
    failsWithOneLine(await kvCli(["copy", APP, "--from", "memory:"], { env }), /needs --from and --to/)
    failsWithOneLine(
      await kvCli(["copy", APP, "--from", "memory:", "--to", "redis://u:hunter2@127.0.0.1:1/x?y"], { env }),
      /^layeron: (?!.*hunter2)/,
    )
    failsWithOneLine(
      await kvCli(["list", APP, STORE, "--out", "x"], { env }),
      /--out is not an option of layeron kv list/,
    )
    failsWithOneLine(await kvCli(["frobnicate", APP], { env }), /layeron kv takes list, get, put/)
  })
})
