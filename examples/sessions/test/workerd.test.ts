// The sessions example as Cloudflare runs it: built by
// `layeron build --target cloudflare` and run by workerd (Miniflare) as its
// wrangler.jsonc describes. auth.sessions keeps sessions in a strong store,
// which on Workers is a Durable Object the Worker exports.
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { fileURLToPath } from "node:url"
import { Miniflare } from "miniflare"
import { workerOptions } from "../../../packages/cli/src/build/miniflare.ts"

const APP = fileURLToPath(new URL("../app.ts", import.meta.url))
const CLI = fileURLToPath(new URL("../../../packages/cli/dist/cli.js", import.meta.url))
const outdir = mkdtempSync(join(tmpdir(), "layeron-sessions-worker-"))
const build = spawnSync(process.execPath, [CLI, "build", "--target", "cloudflare", APP, "--outdir", outdir], {
  encoding: "utf8",
})

let mf: Miniflare

after(async () => {
  await mf?.dispose()
  rmSync(outdir, { recursive: true, force: true })
})

function send(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return mf.dispatchFetch(`https://app.example${path}`, { method, headers, body })
}

async function login(email: string): Promise<string> {
  const response = await send("POST", "/auth/login", { "content-type": "application/json" }, JSON.stringify({ email }))
  assert.equal(response.status, 200)
  const cookie = response.headers.get("set-cookie") ?? ""
  assert.match(cookie, /; Max-Age=86400; Path=\/; HttpOnly; SameSite=Lax; Secure$/)
  return cookie.split(";")[0] as string
}

describe("the sessions example on Cloudflare Workers (workerd, Durable Objects)", () => {
  before(() => {
    assert.equal(build.status, 0, build.stderr)
    mf = new Miniflare(workerOptions(join(outdir, "wrangler.jsonc")))
  })

  it("logs in with a cookie and a token, answers the profile, and 401 without a session", async () => {
    const cookie = await login("ada@example.com")
    const profile = await send("GET", "/api/profile", { cookie })
    assert.equal(profile.status, 200)
    assert.equal(((await profile.json()) as { userId: string }).userId, "ada@example.com")
    const issued = await send("POST", "/auth/token", {}, JSON.stringify({ email: "ada@example.com" }))
    const { token } = (await issued.json()) as { token: string }
    assert.equal((await send("GET", "/api/profile", { authorization: `Bearer ${token}` })).status, 200)
    assert.equal((await send("GET", "/api/profile")).status, 401)
    assert.equal((await send("GET", "/api/profile", { cookie: "session=x" })).status, 401)
  })

  it("logs out other devices and this one, effective at the next request", async () => {
    const [laptop, phone] = [await login("lin@example.com"), await login("lin@example.com")]
    const devices = (await (await send("GET", "/api/devices", { cookie: phone })).json()) as { devices: unknown[] }
    assert.equal(devices.devices.length, 2)
    const others = await send("POST", "/api/logout-others", { cookie: phone, "sec-fetch-site": "same-origin" })
    assert.deepEqual(await others.json(), { revoked: 1 })
    assert.equal((await send("GET", "/api/profile", { cookie: laptop })).status, 401)
    assert.equal((await send("POST", "/api/logout", { cookie: phone, "sec-fetch-site": "same-origin" })).status, 200)
    assert.equal((await send("GET", "/api/profile", { cookie: phone })).status, 401)
  })

  it("leaves a forged cross-site form post anonymous", async () => {
    const cookie = await login("grace@example.com")
    const forged = await send("POST", "/api/logout-others", {
      cookie,
      origin: "https://evil.example",
      "sec-fetch-site": "cross-site",
      "content-type": "application/x-www-form-urlencoded",
    })
    assert.equal(forged.status, 401)
    assert.equal((await send("GET", "/api/profile", { cookie })).status, 200)
  })
})
