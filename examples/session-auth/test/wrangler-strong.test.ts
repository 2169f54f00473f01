// An app with one strong and one eventual store, built by `layeron build
// --target cloudflare`, as Cloudflare's own CLI takes it: `wrangler deploy
// --dry-run` accepts the Durable Object binding and migration as written, and
// `wrangler dev` serves it with a logout seen at once and exact counters.
// wrangler is installed on first use into tools/wrangler (support/wrangler.ts).
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { fileURLToPath } from "node:url"
import { installWrangler, runWrangler, startWranglerDev, type WranglerDev } from "./support/wrangler.ts"

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url))
const CLI = join(REPO_ROOT, "packages/cli/dist/cli.js")
const home = mkdtempSync(join(tmpdir(), "layeron-wrangler-strong-"))
const appDir = join(home, "app")
const outdir = join(home, "build")
const config = join(outdir, "wrangler.jsonc")

const APP = `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"

const app = backend()
const sessions = storage.kv({ name: "sessions", namespace: "auth", consistency: "strong", ttlSeconds: 86400 })
const pages = storage.kv({ name: "pages", namespace: "site" })
app.use(sessions)
app.use(pages)

app.post("/login", async () => {
  const token = crypto.randomUUID()
  await sessions.put(token, "ada")
  return Response.json({ token })
})
app.post("/logout/:token", async (_request, { params }) => {
  await sessions.delete(params.token)
  return new Response(null, { status: 204 })
})
app.get("/profile/:token", async (_request, { params }) => {
  const session = await sessions.get(params.token)
  return session ? new Response(await session.text()) : new Response("Unauthorized", { status: 401 })
})
app.post("/hits/:key", async (_request, { params }) => Response.json(await sessions.increment(params.key)))
app.put("/pages/:key", async (request, { params }) => {
  await pages.put(params.key, await request.text())
  return new Response(null, { status: 204 })
})
app.get("/pages/:key", async (_request, { params }) => new Response((await (await pages.get(params.key))?.text()) ?? "none"))
`

let wrangler: string

before(
  async () => {
    wrangler = await installWrangler()
    mkdirSync(appDir)
    mkdirSync(outdir)
    symlinkSync(join(REPO_ROOT, "node_modules"), join(appDir, "node_modules"), "dir")
    writeFileSync(join(appDir, "package.json"), JSON.stringify({ name: "strong-app", type: "module" }))
    writeFileSync(join(appDir, "app.ts"), APP)
    const build = spawnSync(
      process.execPath,
      [CLI, "build", "--target", "cloudflare", join(appDir, "app.ts"), "--outdir", outdir],
      { encoding: "utf8" },
    )
    assert.equal(build.status, 0, build.stderr)
  },
  { timeout: 11 * 60_000 },
)

after(() => rmSync(home, { recursive: true, force: true }))

describe("a strong and an eventual store under wrangler", () => {
  it("wrangler deploy --dry-run accepts the build: the KV namespace, the Durable Object binding and its migration", async () => {
    const result = await runWrangler(
      wrangler,
      ["deploy", "--dry-run", "--config", config, "--outdir", join(home, "upload")],
      home,
    )
    assert.equal(result.code, 0, result.output)
    assert.match(result.output, /env\.SITE_PAGES \(FILL-IN[^)]*\)\s+KV Namespace/)
    assert.match(result.output, /env\.AUTH_SESSIONS \(LayeronKV_AUTH_SESSIONS\)\s+Durable Object/)
    assert.match(result.output, /--dry-run: exiting now/)
  })

  describe("wrangler dev", () => {
    let dev: WranglerDev

    before(
      async () => {
        dev = await startWranglerDev(wrangler, config, { home, persistTo: join(home, "state") })
      },
      { timeout: 3 * 60_000 },
    )

    after(
      async () => {
        if (!dev) return
        const left = await dev.stop()
        assert.deepEqual(left, [], `still running in wrangler dev's process group:\n${left.join("\n")}`)
      },
      { timeout: 30_000 },
    )

    const request = (method: string, path: string, body?: string) => fetch(`${dev.url}${path}`, { method, body })

    it("sees a logout at once", async () => {
      const { token } = (await (await request("POST", "/login")).json()) as { token: string }
      assert.equal(await (await request("GET", `/profile/${token}`)).text(), "ada")
      assert.equal((await request("POST", `/logout/${token}`)).status, 204)
      const after = await request("GET", `/profile/${token}`)
      assert.equal(after.status, 401, "the very next request no longer authenticates")
      await after.body?.cancel()
    })

    it("counts exactly under 100 concurrent requests", async () => {
      const counts = await Promise.all(
        Array.from({ length: 100 }, async () => Number(await (await request("POST", "/hits/visits")).text())),
      )
      assert.deepEqual(
        counts.sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, index) => index + 1),
      )
    })

    it("keeps the eventual store on its KV namespace", async () => {
      assert.equal((await request("PUT", "/pages/home", "welcome")).status, 204)
      assert.equal(await (await request("GET", "/pages/home")).text(), "welcome")
    })
  })
})
