// The docs' session example as Cloudflare runs it: built by
// `layeron build --target cloudflare`, run by workerd (Miniflare) as its
// wrangler.jsonc describes, with each store on a Workers KV namespace.
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Readable } from "node:stream"
import { after, before, describe, it } from "node:test"
import { fileURLToPath } from "node:url"
import type { KVNamespace } from "@layeron/modules/drivers/cloudflare"
import * as miniflare from "miniflare"
import { Miniflare } from "miniflare"
import { workerOptions } from "../../../packages/cli/src/build/miniflare.ts"

const DAY = 24 * 60 * 60
const APP = fileURLToPath(new URL("../app.ts", import.meta.url))
const CLI = fileURLToPath(new URL("../../../packages/cli/dist/cli.js", import.meta.url))
const outdir = mkdtempSync(join(tmpdir(), "layeron-session-worker-"))
const configPath = join(outdir, "wrangler.jsonc")

/** Miniflare's internal test hooks (not in its published types), for `advanceKVClock`. */
interface MiniflareInternals {
  _getInternalDurableObjectNamespace(
    plugin: string,
    service: string,
    className: string,
  ): Promise<{
    idFromName(name: string): unknown
    get(id: unknown): { fetch(url: string, init: unknown): Promise<Response> }
  }>
}
;(miniflare as unknown as { _enableControlEndpoints(): void })._enableControlEndpoints()

let mf: Miniflare
let kv: KVNamespace

before(async () => {
  const build = spawnSync(process.execPath, [CLI, "build", "--target", "cloudflare", APP, "--outdir", outdir], {
    encoding: "utf8",
  })
  assert.equal(build.status, 0, build.stderr)
  mf = new Miniflare(workerOptions(configPath))
  kv = (await mf.getKVNamespace("AUTH_USER_SESSIONS")) as unknown as KVNamespace
})

after(async () => {
  await mf?.dispose()
  rmSync(outdir, { recursive: true, force: true })
})

function request(method: string, path: string, init: { token?: string; header?: string; body?: string } = {}) {
  const header = init.header ?? (init.token === undefined ? undefined : `Bearer ${init.token}`)
  return mf.dispatchFetch(`http://localhost${path}`, {
    method,
    headers: header === undefined ? {} : { authorization: header },
    body: init.body,
  })
}

async function login(body: unknown): Promise<string> {
  const response = await request("POST", "/api/auth/login", { body: JSON.stringify(body) })
  assert.equal(response.status, 200)
  const json = (await response.json()) as { status: string; token: string }
  assert.equal(json.status, "logged_in")
  return json.token
}

/** What KV itself holds for a session: its expiry in seconds, and the metadata the driver keeps. */
async function stored(token: string) {
  const page = (await kv.list({ prefix: `session:${token}` })) as {
    keys: { name: string; expiration?: number; metadata?: { c: string; e: number } }[]
  }
  return page.keys.find((key) => key.name === `session:${token}`)
}

/**
 * Moves the clock of Miniflare's KV simulator, so that KV's own expiry can
 * be seen without waiting. workerd has no public time travel: this is
 * Miniflare's internal test hook, and the Worker's own clock stays put.
 */
async function advanceKVClock(milliseconds: number, start: number): Promise<void> {
  const internals = mf as unknown as MiniflareInternals
  const objects = await internals._getInternalDurableObjectNamespace("kv", "kv:ns", "KVNamespaceObject")
  const object = objects.get(objects.idFromName("AUTH_USER_SESSIONS"))
  const control = (name: string, args: unknown[]) =>
    object.fetch("http://kv", { cf: { miniflare: { controlOp: { name, args } } } }).then((response) => response.text())
  await control("enableFakeTimers", [start])
  await control("advanceFakeTime", [milliseconds])
}

describe("the session example on Cloudflare Workers (workerd)", () => {
  it("stores a session for 24 hours, or 30 days with rememberMe, as KV's own expiration", async () => {
    const before = Date.now()
    const day = await login({ email: "ada@example.com" })
    const month = await login({ email: "grace@example.com", rememberMe: true })
    const after = Date.now()
    for (const [token, ttl] of [
      [day, DAY],
      [month, 30 * DAY],
    ] as const) {
      const key = await stored(token)
      assert.ok(key, "the session is in the AUTH_USER_SESSIONS namespace, under its own key")
      const expiresAt = key.metadata?.e as number
      assert.ok(expiresAt >= before + ttl * 1000 && expiresAt <= after + ttl * 1000, `${expiresAt}`)
      // KV keeps whole seconds: the expiry rounded up.
      assert.equal(key.expiration, Math.ceil(expiresAt / 1000))
      assert.equal(key.metadata?.c, "application/json")
    }
  })

  it("answers the profile for a session, and 401 without one", async () => {
    const token = await login({ email: "ada@example.com" })
    const response = await request("GET", "/api/profile", { token })
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { message: "Hello, ada@example.com!", roles: ["admin"] })

    const unauthorized = await request("GET", "/api/profile")
    assert.equal(unauthorized.status, 401)
    assert.equal(await unauthorized.text(), "Unauthorized")
    assert.equal((await request("GET", "/api/profile", { header: "Basic abc" })).status, 401)
    const unknown = await request("GET", "/api/profile", { token: "not-a-session" })
    assert.equal(unknown.status, 401)
    assert.equal(await unknown.text(), "Session expired or invalid")
    assert.equal((await request("GET", "/api/profile", { token: "x".repeat(5000) })).status, 401)
  })

  it("logs out: the key leaves KV and the token gets 401", async () => {
    const token = await login({ email: "ada@example.com" })
    const response = await request("POST", "/api/auth/logout", { token })
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { loggedOut: true })
    assert.equal(await stored(token), undefined)
    assert.equal((await request("GET", "/api/profile", { token })).status, 401)
    // Logging out twice, or without a token, is fine.
    assert.equal((await request("POST", "/api/auth/logout", { token })).status, 200)
    assert.equal((await request("POST", "/api/auth/logout")).status, 200)
  })

  it("answers 400 to a login body that is not JSON, and 404/405 off its routes", async () => {
    assert.equal((await request("POST", "/api/auth/login", { body: "{not json" })).status, 400)
    assert.equal((await request("GET", "/nowhere")).status, 404)
    assert.equal((await request("DELETE", "/api/profile")).status, 405)
  })

  it("KV drops a 24-hour session after a day and a 30-day one after 30 days", async () => {
    const start = Date.now()
    const day = await login({ email: "ada@example.com" })
    const month = await login({ email: "grace@example.com", rememberMe: true })
    await advanceKVClock(DAY * 1000 + 2000, start)
    assert.equal((await request("GET", "/api/profile", { token: day })).status, 401)
    assert.equal((await request("GET", "/api/profile", { token: month })).status, 200)
    await advanceKVClock(30 * DAY * 1000 + 2000, start)
    assert.equal((await request("GET", "/api/profile", { token: month })).status, 401)
  })
})

describe("the example's Worker without its KV binding", () => {
  it("fails each request with 500, and logs the binding to add to wrangler.jsonc", async () => {
    let log = ""
    const { kvNamespaces: _, ...unbound } = workerOptions(configPath)
    const bare = new Miniflare({
      ...unbound,
      handleRuntimeStdio(stdout: Readable, stderr: Readable) {
        for (const stream of [stdout, stderr]) stream.setEncoding("utf8").on("data", (chunk: string) => (log += chunk))
      },
    })
    try {
      const response = await bare.dispatchFetch("http://localhost/api/profile", {
        headers: { authorization: "Bearer abc" },
      })
      assert.equal(response.status, 500)
      assert.deepEqual(await response.json(), { error: "Internal Server Error" })
      // workerd's output reaches this process a moment after the response.
      for (let waited = 0; !log.includes("wrangler.jsonc") && waited < 2000; waited += 25) {
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      assert.match(log, /no Workers KV namespace is bound to env\.AUTH_USER_SESSIONS/)
      assert.match(log, /"kv_namespaces" in wrangler\.jsonc/)
    } finally {
      await bare.dispose()
    }
  })
})
