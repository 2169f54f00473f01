// The docs' session example, end to end over a real socket, on the embedded
// SQLite store. Expiry is tested by moving the stores' clock, never by sleeping.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import type { NodeServer } from "@layeron/core"
import { createdBackends } from "@layeron/core/internal"
import { useFakeClock } from "@layeron/modules/testing"

const DAY = 24 * 60 * 60
const dataDir = mkdtempSync(join(tmpdir(), "layeron-session-"))
const clock = useFakeClock()
let server: NodeServer

before(async () => {
  process.env.LAYERON_KV = `sqlite:${join(dataDir, "kv.db")}`
  await import("../app.ts")
  const app = createdBackends().at(-1)
  assert.ok(app, "the example created an app")
  server = await app.listen({ port: 0, hostname: "127.0.0.1", handleSignals: false })
})

after(async () => {
  await server?.close()
  clock.restore()
  rmSync(dataDir, { recursive: true, force: true })
})

async function login(body: unknown): Promise<string> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  })
  assert.equal(response.status, 200)
  const json = (await response.json()) as { status: string; token: string }
  assert.equal(json.status, "logged_in")
  assert.match(json.token, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  return json.token
}

function profile(token?: string, header = token === undefined ? undefined : `Bearer ${token}`): Promise<Response> {
  return fetch(`${server.url}/api/profile`, { headers: header === undefined ? {} : { authorization: header } })
}

describe("the session example", () => {
  it("logs in and answers the profile with a valid token", async () => {
    const token = await login({ email: "ada@example.com" })
    const response = await profile(token)
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { message: "Hello, ada@example.com!", roles: ["admin"] })
  })

  it("answers 401 without a token, with a malformed header, and with an unknown token", async () => {
    assert.equal((await profile()).status, 401)
    assert.equal((await profile(undefined, "Basic abc")).status, 401)
    assert.equal((await profile("not-a-session")).status, 401)
    assert.equal((await profile("x".repeat(5000))).status, 401, "a token too long to be a key is simply unknown")
    assert.equal((await profile(undefined, "Bearer ")).status, 401)
  })

  it("ends a standard session after 24 hours", async () => {
    const token = await login({ email: "day@example.com" })
    clock.advanceSeconds(DAY - 1)
    assert.equal((await profile(token)).status, 200, "still valid a second before 24 hours")
    clock.advanceSeconds(1)
    const expired = await profile(token)
    assert.equal(expired.status, 401)
    assert.equal(await expired.text(), "Session expired or invalid")
  })

  it("keeps a remember-me session for 30 days", async () => {
    const token = await login({ email: "month@example.com", rememberMe: true })
    clock.advanceSeconds(DAY + 1)
    assert.equal((await profile(token)).status, 200, "outlives a standard session")
    clock.advanceSeconds(30 * DAY - DAY - 2)
    assert.equal((await profile(token)).status, 200, "still valid a second before 30 days")
    clock.advanceSeconds(1)
    assert.equal((await profile(token)).status, 401)
  })

  it("logs out: the session ends at once", async () => {
    const token = await login({ email: "bye@example.com" })
    assert.equal((await profile(token)).status, 200)
    const response = await fetch(`${server.url}/api/auth/logout`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { loggedOut: true })
    assert.equal((await profile(token)).status, 401)
  })

  it("answers 400 to a malformed login body", async () => {
    for (const body of ["{", "", '{"email": "a@example.com"', "\u0000"]) {
      const response = await fetch(`${server.url}/api/auth/login`, { method: "POST", body })
      assert.equal(response.status, 400, JSON.stringify(body))
      assert.match(((await response.json()) as { error: string }).error, /JSON|empty/)
    }
  })

  it("answers 404 and 405 around the example's routes", async () => {
    assert.equal((await fetch(`${server.url}/api/nothing`)).status, 404)
    const wrong = await fetch(`${server.url}/api/auth/login`)
    assert.equal(wrong.status, 405)
    assert.equal(wrong.headers.get("allow"), "POST")
  })
})
