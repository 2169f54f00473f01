// The app in-process, through app.fetch: no server, no port. The fake clock
// moves every store's time, so a 24-hour session expires without waiting.
import assert from "node:assert/strict"
import { after, test } from "node:test"
import { useFakeClock } from "@layeron/modules/testing"

process.env.LAYERON_KV = "memory:" // tests never touch the dev server's .layeron/kv.db
const clock = useFakeClock()
const { default: app } = await import("../app.ts")
after(() => app.close())

const HOUR = 60 * 60

async function login(body: { email: string; rememberMe?: boolean }): Promise<string> {
  const response = await app.fetch(
    new Request("http://localhost/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  )
  assert.equal(response.status, 200)
  const { token } = (await response.json()) as { token: string }
  return token
}

function profile(token: string): Promise<Response> {
  return app.fetch(new Request("http://localhost/api/profile", { headers: { authorization: `Bearer ${token}` } }))
}

test("a session is valid for 24 hours, then expires", async () => {
  const token = await login({ email: "ada@example.com" })
  const response = await profile(token)
  assert.equal(response.status, 200)
  assert.deepEqual(await response.json(), { message: "Hello, ada@example.com!", roles: ["admin"] })

  clock.advanceSeconds(24 * HOUR - 1)
  assert.equal((await profile(token)).status, 200)
  clock.advanceSeconds(1)
  assert.equal((await profile(token)).status, 401)
})

test("remember me keeps a session for 30 days", async () => {
  const token = await login({ email: "ada@example.com", rememberMe: true })
  clock.advanceSeconds(29 * 24 * HOUR)
  assert.equal((await profile(token)).status, 200)
  clock.advanceSeconds(24 * HOUR)
  assert.equal((await profile(token)).status, 401)
})

test("logout ends the session", async () => {
  const token = await login({ email: "ada@example.com" })
  const logout = await app.fetch(
    new Request("http://localhost/api/auth/logout", { method: "POST", headers: { authorization: `Bearer ${token}` } }),
  )
  assert.equal(logout.status, 200)
  assert.equal((await profile(token)).status, 401)
})
