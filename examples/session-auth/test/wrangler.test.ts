// The docs' session example built by `layeron build --target cloudflare`, as
// Cloudflare's own CLI takes it: `wrangler deploy --dry-run` accepts the
// build as written, and `wrangler dev` serves the docs' flow over real HTTP.
// wrangler is installed on first use into tools/wrangler (support/wrangler.ts).
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { fileURLToPath } from "node:url"
import {
  installWrangler,
  runningProcesses,
  runWrangler,
  startWranglerDev,
  WRANGLER_DIR,
  type WranglerDev,
} from "./support/wrangler.ts"

const DAY = 24 * 60 * 60
const APP = fileURLToPath(new URL("../app.ts", import.meta.url))
const CLI = fileURLToPath(new URL("../../../packages/cli/dist/cli.js", import.meta.url))
const home = mkdtempSync(join(tmpdir(), "layeron-wrangler-"))
// The build gets a folder of its own: wrangler dev reloads on every change in the Worker's folder.
const outdir = join(home, "build")
const config = join(outdir, "wrangler.jsonc")
const persistTo = join(home, "state")

let wrangler: string

// The first run installs wrangler (npm ci, tens of seconds on a slow machine).
before(
  async () => {
    wrangler = await installWrangler()
    mkdirSync(outdir)
    const build = spawnSync(process.execPath, [CLI, "build", "--target", "cloudflare", APP, "--outdir", outdir], {
      encoding: "utf8",
    })
    assert.equal(build.status, 0, build.stderr)
  },
  { timeout: 11 * 60_000 },
)

after(() => rmSync(home, { recursive: true, force: true }))

describe("wrangler deploy --dry-run on the build", () => {
  it("accepts wrangler.jsonc as the build writes it, FILL-IN id included, and names the KV binding", async () => {
    const upload = join(home, "upload")
    const result = await runWrangler(wrangler, ["deploy", "--dry-run", "--config", config, "--outdir", upload], home)
    assert.equal(result.code, 0, result.output)
    assert.match(result.output, /env\.AUTH_USER_SESSIONS \(FILL-IN[^)]*\)\s+KV Namespace/)
    assert.match(result.output, /--dry-run: exiting now/)
    // "no_bundle": wrangler would upload the build's worker.js byte for byte.
    assert.deepEqual(readFileSync(join(upload, "worker.js")), readFileSync(join(outdir, "worker.js")))
  })
})

describe("the docs' flow through wrangler dev", () => {
  let dev: WranglerDev

  before(
    async () => {
      dev = await startWranglerDev(wrangler, config, { home, persistTo })
    },
    { timeout: 3 * 60_000 },
  )

  after(
    async () => {
      if (!dev) return
      const left = await dev.stop()
      assert.deepEqual(left, [], `still running in wrangler dev's process group:\n${left.join("\n")}`)
      // Nothing from tools/wrangler escaped the group either (workerd, esbuild, wrangler's own node).
      const strays = await runningProcesses(({ args }) => args.includes(join(WRANGLER_DIR, "node_modules")))
      assert.deepEqual(strays, [], `left running:\n${strays.join("\n")}`)
    },
    { timeout: 30_000 },
  )

  const request = (method: string, path: string, init: { token?: string; body?: string } = {}) =>
    fetch(`${dev.url}${path}`, {
      method,
      headers: init.token === undefined ? {} : { authorization: `Bearer ${init.token}` },
      body: init.body,
    })

  async function login(body: unknown): Promise<string> {
    const response = await request("POST", "/api/auth/login", { body: JSON.stringify(body) })
    assert.equal(response.status, 200)
    const json = (await response.json()) as { status: string; token: string }
    assert.equal(json.status, "logged_in")
    return json.token
  }

  /** The session's key as wrangler's own `kv key list` reads it from the local KV data. */
  async function storedKey(token: string) {
    const args = ["kv", "key", "list", "--binding", "AUTH_USER_SESSIONS", "--local", "--persist-to", persistTo]
    const result = await runWrangler(wrangler, [...args, "--config", config, "--prefix", `session:${token}`], home)
    assert.equal(result.code, 0, result.output)
    const keys = JSON.parse(result.output) as { name: string; expiration?: number }[]
    return keys.find((key) => key.name === `session:${token}`)
  }

  it("logs in for 24 hours, answers the profile, logs out, then answers 401", async () => {
    const before = Math.floor(Date.now() / 1000)
    const token = await login({ email: "ada@example.com" })
    const after = Math.ceil(Date.now() / 1000)

    const profile = await request("GET", "/api/profile", { token })
    assert.equal(profile.status, 200)
    assert.deepEqual(await profile.json(), { message: "Hello, ada@example.com!", roles: ["admin"] })

    const key = await storedKey(token)
    assert.ok(key?.expiration !== undefined, "the session is in the AUTH_USER_SESSIONS namespace, with an expiry")
    assert.ok(key.expiration >= before + DAY && key.expiration <= after + DAY + 1, `${key.expiration}`)

    const logout = await request("POST", "/api/auth/logout", { token })
    assert.equal(logout.status, 200)
    assert.deepEqual(await logout.json(), { loggedOut: true })
    const gone = await request("GET", "/api/profile", { token })
    assert.equal(gone.status, 401)
    assert.equal(await gone.text(), "Session expired or invalid")
  })

  it("logs in for 30 days with rememberMe", async () => {
    const before = Math.floor(Date.now() / 1000)
    const token = await login({ email: "grace@example.com", rememberMe: true })
    const after = Math.ceil(Date.now() / 1000)
    const profile = await request("GET", "/api/profile", { token })
    assert.equal(profile.status, 200)
    assert.deepEqual(await profile.json(), { message: "Hello, grace@example.com!", roles: ["admin"] })
    const key = await storedKey(token)
    assert.ok(key?.expiration !== undefined)
    assert.ok(key.expiration >= before + 30 * DAY && key.expiration <= after + 30 * DAY + 1, `${key.expiration}`)
  })

  it("answers 400 to a login body that is not JSON, 401 without a token, 404 off its routes", async () => {
    const malformed = await request("POST", "/api/auth/login", { body: "{not json" })
    assert.equal(malformed.status, 400)
    await malformed.body?.cancel()
    const anonymous = await request("GET", "/api/profile")
    assert.equal(anonymous.status, 401)
    assert.equal(await anonymous.text(), "Unauthorized")
    const unknown = await request("GET", "/nowhere")
    assert.equal(unknown.status, 404)
    await unknown.body?.cancel()
  })
})
