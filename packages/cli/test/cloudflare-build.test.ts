// `layeron build --target cloudflare`, run as the real command: the Worker
// bundle, its wrangler.jsonc, and what the build refuses.
import assert from "node:assert/strict"
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { gzipSync } from "node:zlib"
import type { KVNamespace } from "@layeron/modules/drivers/cloudflare"
import { Miniflare } from "miniflare"
import { parseJsonc } from "../src/build/jsonc.js"
import { workerOptions } from "../src/build/miniflare.js"
import { workerName } from "../src/build/wrangler-config.js"
import { EXAMPLE_APP, fixture, killAll, REPO_ROOT, runCli } from "./support/cli-process.js"

/** The size the issue aims for: the docs' example, gzipped. */
const SIZE_BUDGET = 25 * 1024

let dir: string

before(() => {
  dir = mkdtempSync(join(tmpdir(), "layeron-cf-build-"))
  // Entries written here resolve @layeron/* as an app inside the repository would.
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir")
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cf-build-fixtures", type: "module" }))
})

after(() => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

function writeEntry(name: string, source: string): string {
  const path = join(dir, name)
  writeFileSync(path, source)
  return path
}

const build = (entry: string, outdir: string) =>
  runCli(["build", "--target", "cloudflare", entry, "--outdir", outdir], { timeoutMs: 30_000 })

type Config = {
  name: string
  main: string
  compatibility_date: string
  kv_namespaces: { binding: string; id: string }[]
}
const readConfig = (outdir: string) => parseJsonc(readFileSync(join(outdir, "wrangler.jsonc"), "utf8")) as Config

describe("layeron build --target cloudflare", () => {
  test("bundles the docs' example into one small Worker module, with a KV namespace for its store", async () => {
    const outdir = join(dir, "example")
    const cli = await build(EXAMPLE_APP, outdir)
    assert.equal(cli.exit.code, 0, cli.output())
    const code = readFileSync(join(outdir, "worker.js"))
    const gzipped = gzipSync(code, { level: 9 }).byteLength
    assert.match(cli.stdout, new RegExp(`${(gzipped / 1024).toFixed(1)} KB gzipped`))
    assert.ok(gzipped <= SIZE_BUDGET, `${gzipped} bytes gzipped`)
    const text = code.toString()
    // Nothing of Node.js: no node: imports, no SQLite driver, no Node.js server.
    for (const banned of ['"node:', "better-sqlite3", "@hono/node-server", "createServer", "prepare("]) {
      assert.ok(!text.includes(banned), `the bundle contains ${banned}`)
    }
    assert.match(text, /export\s*\{[^}]*as default/)

    const config = readConfig(outdir)
    assert.equal(config.name, "example-session-auth")
    assert.equal(config.main, "worker.js")
    assert.match(config.compatibility_date, /^\d{4}-\d{2}-\d{2}$/)
    assert.equal(config.kv_namespaces.length, 1)
    assert.equal(config.kv_namespaces[0]?.binding, "AUTH_USER_SESSIONS")
    assert.match(config.kv_namespaces[0]?.id ?? "", /^FILL-IN/)
    const raw = readFileSync(join(outdir, "wrangler.jsonc"), "utf8")
    assert.match(raw, /npx wrangler kv namespace create AUTH_USER_SESSIONS/)
    assert.match(cli.stdout, /to do: npx wrangler kv namespace create AUTH_USER_SESSIONS/)
  })

  test("a rebuild keeps the namespace ids, the name and the settings added to wrangler.jsonc", async () => {
    const outdir = join(dir, "rebuild")
    assert.equal((await build(EXAMPLE_APP, outdir)).exit.code, 0)
    const path = join(outdir, "wrangler.jsonc")
    const edited = readFileSync(path, "utf8")
      .replace(/"FILL-IN[^"]*"/, '"0f2ac74b498b48028cb68387c421e279"')
      .replace('"name": "example-session-auth",', '"name": "sessions", // mine\n  "routes": ["example.com/api/*"],')
    writeFileSync(path, edited)
    const cli = await build(EXAMPLE_APP, outdir)
    assert.equal(cli.exit.code, 0, cli.output())
    assert.doesNotMatch(cli.stdout, /to do/)
    const config = readConfig(outdir) as Config & { routes: string[] }
    assert.equal(config.name, "sessions")
    assert.deepEqual(config.routes, ["example.com/api/*"])
    assert.deepEqual(config.kv_namespaces, [{ binding: "AUTH_USER_SESSIONS", id: "0f2ac74b498b48028cb68387c421e279" }])
  })

  test("serves the app an entry exports, and declares one namespace per store", async () => {
    const entry = writeEntry(
      "two-stores.ts",
      `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"
const app = backend()
const carts = storage.kv({ name: "carts", namespace: "shop" })
app.use(storage.kv({ name: "user-sessions", namespace: "auth" }))
app.use(carts)
app.use(storage.kv({ name: "carts", namespace: "shop" })) // the same store again: one binding
app.use({ name: "audit", start() {} })
app.get("/carts/:id", async (_request, ctx) => {
  await carts.put(ctx.params.id, "full")
  return new Response(await (await carts.get(ctx.params.id))?.text())
})
export default app
backend().get("/carts/:id", () => new Response("not this app"))
`,
    )
    const outdir = join(dir, "two-stores")
    const cli = await build(entry, outdir)
    assert.equal(cli.exit.code, 0, cli.output())
    assert.deepEqual(
      readConfig(outdir).kv_namespaces.map((namespace) => namespace.binding),
      ["AUTH_USER_SESSIONS", "SHOP_CARTS"],
    )
    const mf = new Miniflare(workerOptions(join(outdir, "wrangler.jsonc")))
    try {
      const response = await mf.dispatchFetch("http://localhost/carts/42")
      assert.equal(await response.text(), "full")
      const carts = (await mf.getKVNamespace("SHOP_CARTS")) as unknown as KVNamespace
      assert.deepEqual(
        (await carts.list()).keys.map((key) => key.name),
        ["42"],
      )
    } finally {
      await mf.dispose()
    }
  })

  test("serves an entry's default export over the last app it created", async () => {
    const outdir = join(dir, "default-export")
    assert.equal((await build(fixture("default-export.ts"), outdir)).exit.code, 0)
    assert.deepEqual(readConfig(outdir).kv_namespaces, [])
    const mf = new Miniflare(workerOptions(join(outdir, "wrangler.jsonc")))
    try {
      assert.equal(await (await mf.dispatchFetch("http://localhost/which")).text(), "the exported app")
    } finally {
      await mf.dispose()
    }
  })

  test("refuses two stores whose names give one binding, and a portable: false store", async () => {
    const clash = writeEntry(
      "clash.ts",
      `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"
const app = backend()
app.use(storage.kv({ name: "user-sessions", namespace: "auth" }))
app.use(storage.kv({ name: "user_sessions", namespace: "auth" }))
`,
    )
    const clashed = await build(clash, join(dir, "clash"))
    assert.equal(clashed.exit.code, 1)
    assert.equal(
      clashed.stderr.trim(),
      "layeron: storage.kv(auth/user-sessions) and storage.kv(auth/user_sessions) both need the Workers binding AUTH_USER_SESSIONS; rename one of them",
    )

    const fast = writeEntry(
      "fast.ts",
      `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"
backend().use(storage.kv({ name: "fast", namespace: "cache", portable: false }))
`,
    )
    const refused = await build(fast, join(dir, "fast"))
    assert.equal(refused.exit.code, 1)
    assert.match(refused.stderr, /^layeron: storage\.kv\(cache\/fast\): portable: false .* Cloudflare Workers\n$/)
  })

  test("a mistake is one line and exit 1: no target, another target, no entry, no app, code that does not compile", async () => {
    const cases: [string[], RegExp][] = [
      [["build", EXAMPLE_APP], /takes --target cloudflare .*got no --target/],
      [["build", "--target", "lambda", EXAMPLE_APP], /got --target lambda/],
      [["build", "--target", "cloudflare", join(dir, "missing.ts")], /Entry file not found/],
      [["build", "--target", "cloudflare", writeEntry("no-app.ts", "export const x = 1\n")], /created no app/],
      [["build", "--target", "cloudflare", writeEntry("broken.ts", "const = 1\n")], /broken\.ts:1:6/],
    ]
    const runs = cases.map(([args], index) =>
      runCli([...args, "--outdir", join(dir, `mistake-${index}`)], { timeoutMs: 30_000 }),
    )
    for (const [index, cli] of (await Promise.all(runs)).entries()) {
      assert.equal(cli.exit.code, 1, cli.output())
      assert.match(cli.stderr, (cases[index] as [string[], RegExp])[1])
      assert.doesNotMatch(cli.stderr, /\n\s+at /, "no stack trace")
    }
  })

  test("parses JSONC as wrangler writes it, and names Workers as Cloudflare allows", () => {
    assert.deepEqual(parseJsonc('// top\n{ "a": "x // y", /* b */ "b": [1, 2,], "c": "\\"/*", }\n'), {
      a: "x // y",
      b: [1, 2],
      c: '"/*',
    })
    assert.deepEqual(parseJsonc('{ "a": ",}" }'), { a: ",}" })
    assert.equal(workerName("@layeron/example-session-auth"), "example-session-auth")
    assert.equal(workerName("My App_v2"), "my-app-v2")
    assert.equal(workerName("---"), "layeron-app")
    assert.equal(workerName("x".repeat(80)).length, 63)
  })
})
