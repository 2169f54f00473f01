// Strong stores on Workers, through the real command: `layeron build` exports
// a Durable Object class per strong store and writes its binding and
// migration (kept as they are on a rebuild), and the build runs in workerd
// (Miniflare) with a logout seen at once and exact counters from many
// concurrent requests.
import assert from "node:assert/strict"
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { Miniflare } from "miniflare"
import { parseJsonc } from "../src/build/jsonc.js"
import { workerOptions } from "../src/build/miniflare.js"
import { killAll, REPO_ROOT, runCli } from "./support/cli-process.js"

let dir: string

before(() => {
  dir = mkdtempSync(join(tmpdir(), "layeron-cf-strong-"))
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir")
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cf-strong", type: "module" }))
})

after(() => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

const APP = `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"
const app = backend()
const sessions = storage.kv({ name: "sessions", namespace: "auth", consistency: "strong", ttlSeconds: 3600 })
const pages = storage.kv({ name: "pages", namespace: "site" })
app.use(sessions)
app.use(pages)
app.post("/login/:token", async (_request, { params }) => {
  await sessions.put(params.token, "ada")
  return new Response("in")
})
app.post("/logout/:token", async (_request, { params }) => {
  await sessions.delete(params.token)
  return new Response("out")
})
app.get("/profile/:token", async (_request, { params }) =>
  (await sessions.get(params.token)) ? new Response("ada") : new Response("Unauthorized", { status: 401 }),
)
app.post("/hits/:key", async (_request, { params }) => Response.json(await sessions.increment(params.key)))
app.get("/pages/:key", async (_request, { params }) => {
  await pages.put(params.key, "cached")
  return new Response(await (await pages.get(params.key))?.text())
})
`

type Migration = { tag: string; new_sqlite_classes?: string[] }
type Config = {
  kv_namespaces: { binding: string }[]
  durable_objects: { bindings: { name: string; class_name: string; script_name?: string }[] }
  migrations: Migration[]
  vars?: Record<string, string>
}

const build = (entry: string, outdir: string) =>
  runCli(["build", "--target", "cloudflare", entry, "--outdir", outdir], { timeoutMs: 60_000 })
const readConfig = (outdir: string) => parseJsonc(readFileSync(join(outdir, "wrangler.jsonc"), "utf8")) as Config

describe("strong stores on Workers", () => {
  test("the build exports a class per strong store, binds it, and migrates it once", async () => {
    const entry = join(dir, "app.ts")
    writeFileSync(entry, APP)
    const outdir = join(dir, "out")
    const cli = await build(entry, outdir)
    assert.equal(cli.exit.code, 0, cli.output())
    assert.match(cli.stdout, /with 1 KV namespace: SITE_PAGES, 1 Durable Object namespace: AUTH_SESSIONS\n/)
    assert.match(cli.stdout, /a new migration creates LayeronKV_AUTH_SESSIONS \(SQLite-backed\)/)
    const config = readConfig(outdir)
    assert.deepEqual(
      config.kv_namespaces.map((namespace) => namespace.binding),
      ["SITE_PAGES"],
    )
    assert.deepEqual(config.durable_objects.bindings, [
      { name: "AUTH_SESSIONS", class_name: "LayeronKV_AUTH_SESSIONS" },
    ])
    assert.deepEqual(config.migrations, [{ tag: "v1", new_sqlite_classes: ["LayeronKV_AUTH_SESSIONS"] }])
    assert.match(readFileSync(join(outdir, "worker.js"), "utf8"), /LayeronKV_AUTH_SESSIONS/)

    // What the user adds stays; a deployed migration is never rewritten; a new strong store gets a new tag.
    const path = join(outdir, "wrangler.jsonc")
    writeFileSync(
      path,
      readFileSync(path, "utf8")
        .replace('"migrations": [', '"vars": { "MODE": "prod" },\n  "migrations": [')
        .replace(
          '"bindings": [',
          '"bindings": [\n      { "name": "CHAT", "class_name": "ChatRoom", "script_name": "chat-worker" },',
        ),
    )
    writeFileSync(
      entry,
      `${APP}app.use(storage.kv({ name: "rate", namespace: "api", consistency: "strong", shards: 2 }))\n`,
    )
    const again = await build(entry, outdir)
    assert.equal(again.exit.code, 0, again.output())
    const rebuilt = readConfig(outdir)
    assert.deepEqual(rebuilt.vars, { MODE: "prod" })
    assert.deepEqual(rebuilt.durable_objects.bindings, [
      { name: "AUTH_SESSIONS", class_name: "LayeronKV_AUTH_SESSIONS" },
      { name: "API_RATE", class_name: "LayeronKV_API_RATE" },
      { name: "CHAT", class_name: "ChatRoom", script_name: "chat-worker" },
    ])
    assert.deepEqual(rebuilt.migrations, [
      { tag: "v1", new_sqlite_classes: ["LayeronKV_AUTH_SESSIONS"] },
      { tag: "v2", new_sqlite_classes: ["LayeronKV_API_RATE"] },
    ])
    // Nothing new: the same file, migrations and all.
    const before = readFileSync(path, "utf8")
    const third = await build(entry, outdir)
    assert.equal(third.exit.code, 0, third.output())
    assert.doesNotMatch(third.stdout, /new migration/)
    assert.equal(readFileSync(path, "utf8"), before)

    // A store removed from the app: its binding goes, its class is still exported (its data stays reachable).
    writeFileSync(entry, APP)
    assert.equal((await build(entry, outdir)).exit.code, 0)
    const removed = readConfig(outdir)
    assert.deepEqual(
      removed.durable_objects.bindings.map((binding) => binding.name),
      ["AUTH_SESSIONS", "CHAT"],
    )
    assert.equal(removed.migrations.length, 2)
    assert.match(readFileSync(join(outdir, "worker.js"), "utf8"), /LayeronKV_API_RATE/)
  })

  test("in workerd: a logout is seen at once, counters are exact under many concurrent requests, eventual stores stay on KV", async () => {
    const entry = join(dir, "served.ts")
    writeFileSync(entry, APP)
    const outdir = join(dir, "served")
    const cli = await build(entry, outdir)
    assert.equal(cli.exit.code, 0, cli.output())
    const mf = new Miniflare(workerOptions(join(outdir, "wrangler.jsonc")))
    try {
      const url = await mf.ready
      const call = (method: string, path: string) => fetch(new URL(path, url), { method })
      assert.equal((await call("POST", "/login/t1")).status, 200)
      assert.equal((await call("GET", "/profile/t1")).status, 200)
      assert.equal((await call("POST", "/logout/t1")).status, 200)
      assert.equal((await call("GET", "/profile/t1")).status, 401, "the logout is seen by the next request")
      const counts = await Promise.all(
        Array.from({ length: 200 }, async () => Number(await (await call("POST", "/hits/visits")).text())),
      )
      assert.deepEqual(
        counts.sort((a, b) => a - b),
        Array.from({ length: 200 }, (_, index) => index + 1),
        "each of 200 concurrent increments got its own count",
      )
      assert.equal(await (await call("GET", "/pages/home")).text(), "cached")
      // The eventual store is a KV namespace; the strong one is not in KV.
      const kv = (await mf.getKVNamespace("SITE_PAGES")) as unknown as { get(key: string): Promise<string | null> }
      assert.ok(await kv.get("home"))
    } finally {
      await mf.dispose()
    }
  })
})
