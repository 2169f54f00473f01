// The sessions example end to end over a real socket on the embedded SQLite
// store: both ways to log in, the profile, the device list, logging out one
// device or all the others, the guarded group; lifetimes by moving the
// stores' clock, never by sleeping.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import type { AnyBackend, NodeServer } from "@layeron/core"
import { useFakeClock } from "@layeron/modules/testing"
import { type Credential, call, login, status, token } from "./support/client.ts"

const DAY = 24 * 60 * 60
const dataDir = mkdtempSync(join(tmpdir(), "layeron-sessions-"))
const clock = useFakeClock()
let server: NodeServer
let base: string

before(async () => {
  process.env.LAYERON_KV = `sqlite:${join(dataDir, "kv.db")}`
  const app = (await import("../app.ts")).default as AnyBackend
  server = await app.listen({ port: 0, hostname: "127.0.0.1", handleSignals: false })
  base = server.url.replace(/\/$/, "")
})

after(async () => {
  await server?.close()
  clock.restore()
  delete process.env.LAYERON_KV
  rmSync(dataDir, { recursive: true, force: true })
})

async function json(base: string, credential: Credential, method: string, path: string): Promise<unknown> {
  const response = await call(base, credential, method, path)
  assert.equal(response.status, 200, path)
  return response.json()
}

describe("the sessions example on SQLite", () => {
  it("logs a browser in with an HttpOnly SameSite=Lax cookie lasting the session (no Secure on plain http)", async () => {
    const response = await fetch(`${base}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "ada@example.com" }),
    })
    assert.equal(response.status, 200)
    const cookie = response.headers.get("set-cookie") ?? ""
    assert.match(cookie, /^session=[\w-]{22}\.[\w-]{22}\.[\w-]{43}; Max-Age=86400; Path=\/; HttpOnly; SameSite=Lax$/)
    const browser = { cookie: cookie.split(";")[0] as string }
    assert.deepEqual(await json(base, browser, "GET", "/api/profile"), {
      userId: "ada@example.com",
      email: "ada@example.com",
      expiresAt: new Date(clock.now() + DAY * 1000).toISOString(),
    })
  })

  it("gives an API client a token for the Authorization header", async () => {
    const client = await token(base, "Grace@Example.com")
    const profile = (await json(base, client, "GET", "/api/profile")) as { userId: string }
    assert.equal(profile.userId, "grace@example.com")
    assert.equal(await status(base, { cookie: `session=${client.token}` }), 200, "the same token works as a cookie")
  })

  it("lists the user's devices, logs out the others, then this one", async () => {
    const laptop = await login(base, "lin@example.com")
    const phone = await login(base, "lin@example.com", true)
    const cli = await token(base, "lin@example.com")
    const other = await login(base, "someone@example.com")
    const { devices } = (await json(base, phone, "GET", "/api/devices")) as {
      devices: { id: string; device: string; current: boolean }[]
    }
    assert.equal(devices.length, 3)
    assert.deepEqual(devices.map((device) => device.device).sort(), [
      "browser of lin@example.com",
      "browser of lin@example.com",
      "cli of lin@example.com",
    ])
    assert.equal(devices.filter((device) => device.current).length, 1)

    assert.deepEqual(await json(base, phone, "POST", "/api/logout-others"), { revoked: 2 })
    assert.equal(await status(base, laptop), 401)
    assert.equal(await status(base, cli), 401)
    assert.equal(await status(base, phone), 200)
    assert.equal(await status(base, other), 200, "another user's sessions stay")
    const left = (await json(base, phone, "GET", "/api/devices")) as { devices: { current: boolean }[] }
    assert.deepEqual(
      left.devices.map((device) => device.current),
      [true],
    )

    const logout = await call(base, phone, "POST", "/api/logout")
    assert.equal(logout.status, 200)
    assert.equal(logout.headers.get("set-cookie"), "session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax")
    assert.equal(await status(base, phone), 401)
    assert.equal((await call(base, phone, "POST", "/api/logout")).status, 401, "a second logout is anonymous")
  })

  it("guards every path under /api/, existing or not; leaves the rest open", async () => {
    for (const path of ["/api/profile", "/api/devices", "/api/admin", "/api"]) {
      const response = await fetch(`${base}${path}`)
      assert.equal(response.status, 401, path)
      assert.deepEqual(await response.json(), { error: "Unauthorized" })
    }
    assert.equal((await call(base, {}, "POST", "/api/logout-others")).status, 401)
    const user = await token(base, "ada@example.com")
    assert.equal(await status(base, user, "/api/admin"), 404)
    assert.equal((await fetch(`${base}/elsewhere`)).status, 404)
  })

  it("refuses a login without an email address with 400", async () => {
    for (const body of [
      "{",
      "null",
      "[]",
      '{"email":42}',
      '{"email":"no-at-sign"}',
      JSON.stringify({ email: `${"a".repeat(300)}@x` }),
    ]) {
      const response = await fetch(`${base}/auth/login`, { method: "POST", body })
      assert.equal(response.status, 400, body)
      await response.arrayBuffer()
    }
  })
})

describe("lifetimes, by moving the clock", () => {
  it("a session unused for 24 hours is gone; remember-me lasts 30 days", async () => {
    const day = await token(base, "day@example.com")
    const month = await token(base, "month@example.com", true)
    clock.advanceSeconds(DAY - 1)
    assert.equal(await status(base, day), 200)
    // That request renewed it: from now, a full day again.
    clock.advanceSeconds(DAY - 1)
    assert.equal(await status(base, day), 200)
    clock.advanceSeconds(DAY)
    assert.equal(await status(base, day), 401, "unused for a day")
    clock.advanceSeconds(30 * DAY - 3 * DAY)
    assert.equal(await status(base, month), 200)
    clock.advanceSeconds(30 * DAY)
    assert.equal(await status(base, month), 401)
  })

  it("renews a cookie session past half its lifetime with a fresh cookie, once", async () => {
    const browser = await login(base, "renew@example.com")
    clock.advanceSeconds(DAY / 2 - 60)
    const early = await call(base, browser, "GET", "/api/profile")
    assert.equal(early.headers.get("set-cookie"), null, "not yet half way")
    clock.advanceSeconds(120)
    const renewed = await call(base, browser, "GET", "/api/profile")
    assert.equal(renewed.headers.get("set-cookie"), `${browser.cookie}; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax`)
    const profile = (await renewed.json()) as { expiresAt: string }
    assert.equal(profile.expiresAt, new Date(clock.now() + DAY * 1000).toISOString())
    const again = await call(base, browser, "GET", "/api/profile")
    assert.equal(again.headers.get("set-cookie"), null)
  })

  it("ends a session 90 days after login however often it is used", async () => {
    const client = await token(base, "daily@example.com", true)
    const loggedInAt = clock.now()
    for (let day = 1; day < 90; day++) {
      clock.advanceSeconds(DAY)
      assert.equal(await status(base, client), 200, `day ${day}`)
    }
    clock.set(loggedInAt + 90 * DAY * 1000 - 1000)
    assert.equal(await status(base, client), 200)
    clock.advanceSeconds(1)
    assert.equal(await status(base, client), 401, "the 90-day cap")
  })
})
