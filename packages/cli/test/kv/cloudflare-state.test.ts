// `layeron kv --target cloudflare` works on the very state `layeron dev
// --target cloudflare` serves: sessions imported there verify through the
// docs' example running in workerd, and a session logged in there is listed
// and exported with its expiry. A strong store's entries, in its Durable
// Objects, go both ways too.
import assert from "node:assert/strict"
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { CliProcess, EXAMPLE_APP, killAll, REPO_ROOT } from "../support/cli-process.ts"
import { kvCli, ok } from "./support/kv-cli.ts"

const STORE = "auth/user-sessions"
const DAY = 24 * 60 * 60 * 1000
let dir: string

before(() => {
  dir = mkdtempSync(join(tmpdir(), "layeron-kv-cf-"))
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir")
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "sessions", type: "module" }))
  copyFileSync(EXAMPLE_APP, join(dir, "app.ts"))
})

after(() => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

const session = (email: string) =>
  JSON.stringify({ userId: "usr_100", email, roles: ["admin"], createdAt: "2026-11-30T00:00:00.000Z" })

describe("layeron kv --target cloudflare", () => {
  it("imports sessions into the local Workers state that layeron dev --target cloudflare serves", async () => {
    const expiresAt = new Date(Date.now() + 30 * DAY).toISOString()
    const dump = join(dir, "sessions.ndjson")
    writeFileSync(
      dump,
      `${JSON.stringify({ key: "session:imported", value: session("moved@example.com"), contentType: "application/json", expiresAt })}\n`,
    )
    const imported = ok(
      await kvCli(["import", "app.ts", STORE, "--target", "cloudflare"], { cwd: dir, stdinFile: dump }),
    )
    assert.equal(imported.text, "layeron kv import: 1 entries into auth/user-sessions\n")

    const dev = new CliProcess(["dev", "--target", "cloudflare", "app.ts", "--port", "0"], { cwd: dir })
    const url = await dev.servingUrl()
    const profile = await fetch(`${url}/api/profile`, { headers: { authorization: "Bearer imported" } })
    assert.equal(profile.status, 200)
    assert.deepEqual(await profile.json(), { message: "Hello, moved@example.com!", roles: ["admin"] })
    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "new@example.com" }),
    })
    const { token } = (await login.json()) as { token: string }
    dev.signal("SIGTERM")
    await dev.waitForExit()

    const listed = ok(await kvCli(["list", "app.ts", STORE, "--json", "--target", "cloudflare"], { cwd: dir }))
    const keys = JSON.parse(listed.text) as { name: string; expiresAt: string }[]
    assert.deepEqual(keys.map((key) => key.name).sort(), ["session:imported", `session:${token}`].sort())
    assert.equal(keys.find((key) => key.name === "session:imported")?.expiresAt, expiresAt, "to the millisecond")
    const made = Date.parse(keys.find((key) => key.name === `session:${token}`)?.expiresAt as string) - Date.now()
    assert.ok(made > DAY - 120_000 && made <= DAY, `the login's 24 hours: ${made} ms`)
  })
})

const STRONG_APP = `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"
const app = backend()
const limits = storage.kv({ name: "limits", namespace: "api", consistency: "strong", shards: 3 })
app.use(limits)
app.get("/limits/:key", async (_request, ctx) => {
  const entry = await limits.get(ctx.params.key)
  return Response.json(entry === null ? null : { text: await entry.text(), metadata: entry.metadata, expiresAt: entry.expiresAt?.getTime() ?? null })
})
app.post("/hits/:key", async (_request, ctx) => Response.json(await limits.increment(ctx.params.key)))
`

describe("layeron kv --target cloudflare on a strong store (Durable Objects)", () => {
  it("puts, imports, gets, lists and exports the entries layeron dev --target cloudflare serves", async () => {
    const app = mkdtempSync(join(tmpdir(), "layeron-kv-cf-strong-"))
    try {
      symlinkSync(join(REPO_ROOT, "node_modules"), join(app, "node_modules"), "dir")
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "limits", type: "module" }))
      writeFileSync(join(app, "app.ts"), STRONG_APP)
      const kv = (args: string[], stdinFile?: string) =>
        kvCli([...args, "--target", "cloudflare"], { cwd: app, ...(stdinFile === undefined ? {} : { stdinFile }) })
      const store = "api/limits"

      ok(await kv(["put", "app.ts", store, "plan:ada", "gold", "--metadata", '{"by":"ops"}']))
      const expiresAt = new Date(Date.now() + 2 * DAY).toISOString()
      const dump = join(app, "limits.ndjson")
      const lines = ["hits:ada", "hits:bob", "hits:cy", "hits:dee"].map((key, index) =>
        JSON.stringify({ key, value: String(10 * (index + 1)), expiresAt }),
      )
      writeFileSync(dump, `${lines.join("\n")}\n`)
      assert.equal(
        ok(await kv(["import", "app.ts", store], dump)).text,
        "layeron kv import: 4 entries into api/limits\n",
      )
      assert.equal(ok(await kv(["get", "app.ts", store, "hits:cy"])).text, "30")

      const dev = new CliProcess(["dev", "--target", "cloudflare", "app.ts", "--port", "0"], { cwd: app })
      const url = await dev.servingUrl()
      assert.deepEqual(await (await fetch(`${url}/limits/plan:ada`)).json(), {
        text: "gold",
        metadata: { by: "ops" },
        expiresAt: null,
      })
      const imported = (await (await fetch(`${url}/limits/hits:bob`)).json()) as { text: string; expiresAt: number }
      assert.deepEqual(imported, { text: "20", metadata: null, expiresAt: Date.parse(expiresAt) })
      // The Worker's atomic increment on the imported counter, and a new key in whichever object holds it.
      assert.equal(await (await fetch(`${url}/hits/hits:bob`, { method: "POST" })).json(), 21)
      assert.equal(await (await fetch(`${url}/hits/hits:eve`, { method: "POST" })).json(), 1)
      dev.signal("SIGTERM")
      await dev.waitForExit()

      const listed = JSON.parse(ok(await kv(["list", "app.ts", store, "--json", "--prefix", "hits:"])).text) as {
        name: string
      }[]
      assert.deepEqual(
        listed.map((key) => key.name),
        ["hits:ada", "hits:bob", "hits:cy", "hits:dee", "hits:eve"],
      )
      const exported = ok(await kv(["export", "app.ts", store]))
        .text.trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { key: string; value: string; expiresAt?: string; metadata?: unknown })
      assert.deepEqual(
        exported.map((entry) => [entry.key, entry.value]),
        [
          ["hits:ada", "10"],
          ["hits:bob", "21"],
          ["hits:cy", "30"],
          ["hits:dee", "40"],
          ["hits:eve", "1"],
          ["plan:ada", "gold"],
        ],
      )
      assert.equal(exported.find((entry) => entry.key === "hits:ada")?.expiresAt, expiresAt)
      assert.deepEqual(exported.find((entry) => entry.key === "plan:ada")?.metadata, { by: "ops" })
      ok(await kv(["delete", "app.ts", store, "plan:ada"]))
      const gone = await kv(["get", "app.ts", store, "plan:ada"])
      assert.equal(gone.code, 1)
      assert.match(gone.stderr, /No key "plan:ada" in api\/limits \(missing or expired\)/)
    } finally {
      rmSync(app, { recursive: true, force: true })
    }
  })
})
