// auth.sessions on a real memory driver whose calls are counted, with a fake
// clock: what each call stores, reads and writes, and lifetimes by moving time.
import assert from "node:assert/strict"
import { afterEach, beforeEach, describe, it } from "node:test"
import { backend } from "@layeron/core"
import { auth, isKVError, type Session } from "@layeron/modules"
import { FakeClock, useFakeClock } from "@layeron/modules/testing"
import { CountingDriver } from "./support/counting-driver.ts"

const HOUR = 3600
const DAY = 24 * HOUR

let clock: FakeClock
let driver: CountingDriver

beforeEach(() => {
  clock = new FakeClock()
  driver = new CountingDriver({ clock })
})
afterEach(() => driver.close())

function make(options: Parameters<typeof auth.sessions>[0] = {}) {
  return auth.sessions({ driver, clock, ...options })
}

const bearer = (token: string, init: RequestInit = {}) =>
  new Request("https://app.example/api/x", { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } })

describe("create and verify", () => {
  it("gives a token of 384 random bits that verifies to the session, by itself or as a Bearer header", async () => {
    const sessions = make()
    const { token, session } = await sessions.create({ userId: "u1", data: { email: "ada@example.com" } })
    assert.match(token, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)
    assert.equal(session.userId, "u1")
    assert.deepEqual(session.data, { email: "ada@example.com" })
    assert.equal(session.expiresAt.getTime() - session.createdAt.getTime(), DAY * 1000)
    assert.deepEqual(await sessions.verify(token), session)
    assert.deepEqual(await sessions.verify(bearer(token)), session)
    const other = await sessions.create({ userId: "u1" })
    assert.notEqual(other.token, token)
    assert.notEqual(other.session.id, session.id)
  })

  it("stores no part of the secret: a copy of the store authenticates nobody", async () => {
    const sessions = make()
    const { token } = await sessions.create({ userId: "u1", data: { n: 1 } })
    const secret = token.split(".")[2] as string
    const stored = driver.dump().join("\n")
    for (let start = 0; start + 32 <= token.length; start++) {
      assert.ok(!stored.includes(token.slice(start, start + 32)), `piece at ${start} is stored`)
    }
    assert.ok(!stored.includes(secret.slice(0, 16)))
  })

  it("refuses a token whose id is right but whose secret is not, and the session id alone", async () => {
    const sessions = make()
    const { token, session } = await sessions.create({ userId: "u1" })
    const [userKey, id, secret] = token.split(".") as [string, string, string]
    const flipped = `${userKey}.${id}.${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`
    assert.equal(await sessions.verify(flipped), null)
    assert.equal(await sessions.verify(session.id), null)
    assert.equal(await sessions.verify(`${userKey}.${id}`), null)
    assert.equal(await sessions.revoke(flipped), false, "a wrong secret revokes nothing either")
    assert.notEqual(await sessions.verify(token), null)
  })

  it("a verify that does not renew is one storage read and no write", async () => {
    const sessions = make()
    const { token } = await sessions.create({ userId: "u1" })
    driver.reset()
    for (let index = 0; index < 10; index++) assert.notEqual(await sessions.verify(bearer(token)), null)
    assert.deepEqual(driver.calls, {
      get: 10,
      put: 0,
      putIf: 0,
      delete: 0,
      deleteIf: 0,
      list: 0,
      getMany: 0,
      getAndDelete: 0,
    })
  })

  it("a malformed token reads nothing", async () => {
    const sessions = make()
    driver.reset()
    for (const token of [
      "",
      "x",
      "a".repeat(89),
      "é".repeat(89),
      `${"a".repeat(22)}.${"a".repeat(22)}.${"a".repeat(44)}`,
    ]) {
      assert.equal(await sessions.verify(token), null)
    }
    assert.equal(await sessions.verify(42 as unknown as string), null)
    assert.equal(driver.calls.get, 0)
  })
})

describe("lifetimes, on the store's clock", () => {
  it("24 hours, 30 days with rememberMe; gone a moment after", async () => {
    const sessions = make({ renew: false })
    const day = await sessions.create({ userId: "u1" })
    const month = await sessions.create({ userId: "u1", rememberMe: true })
    clock.advanceSeconds(DAY - 1)
    assert.notEqual(await sessions.verify(day.token), null)
    clock.advanceSeconds(1)
    assert.equal(await sessions.verify(day.token), null)
    clock.advanceSeconds(30 * DAY - DAY - 1)
    assert.notEqual(await sessions.verify(month.token), null)
    clock.advanceSeconds(1)
    assert.equal(await sessions.verify(month.token), null)
  })

  it("follows useFakeClock() when given no clock", async () => {
    const fake = useFakeClock()
    try {
      const sessions = auth.sessions({ driver })
      const { token, session } = await sessions.create({ userId: "u1" })
      assert.equal(session.createdAt.getTime(), fake.now())
      fake.advanceSeconds(DAY)
      assert.equal(await sessions.verify(token), null)
    } finally {
      fake.restore()
    }
  })

  it("renews once past half its lifetime, by a full lifetime from then, with one conditional write", async () => {
    const sessions = make()
    const { token, session } = await sessions.create({ userId: "u1" })
    clock.advanceSeconds(DAY / 2 - 1)
    driver.reset()
    assert.equal((await sessions.verify(token))?.expiresAt.getTime(), session.expiresAt.getTime(), "not yet due")
    assert.equal(driver.calls.putIf, 0)
    clock.advanceSeconds(1)
    const renewed = (await sessions.verify(token)) as Session
    assert.equal(renewed.expiresAt.getTime(), clock.now() + DAY * 1000)
    assert.equal(renewed.lastUsedAt.getTime(), clock.now())
    assert.deepEqual([driver.calls.putIf, driver.calls.put], [1, 0])
    for (let index = 0; index < 20; index++) await sessions.verify(token)
    assert.equal(driver.calls.putIf, 1, "one write per renewal, not one per request")
    clock.advanceSeconds(DAY - 1)
    assert.notEqual(await sessions.verify(token), null, "alive a day after the renewal")
  })

  it("never renews past maxAgeSeconds from creation", async () => {
    const sessions = make({ maxAgeSeconds: 3 * DAY })
    const { token, session } = await sessions.create({ userId: "u1" })
    let last = session
    for (let hours = 0; hours < 3 * 24 + 2; hours += 13) {
      clock.advanceSeconds(13 * HOUR)
      const seen = await sessions.verify(token)
      if (clock.now() < session.createdAt.getTime() + 3 * DAY * 1000) {
        assert.ok(seen, `alive at ${hours + 13} h`)
        last = seen
      } else assert.equal(seen, null, `gone at ${hours + 13} h`)
      assert.ok(last.expiresAt.getTime() <= session.createdAt.getTime() + 3 * DAY * 1000)
    }
  })

  it("a maxAgeSeconds under the lifetime shortens the first one too", async () => {
    const sessions = make({ maxAgeSeconds: HOUR })
    const { session } = await sessions.create({ userId: "u1", rememberMe: true })
    assert.equal(session.expiresAt.getTime() - session.createdAt.getTime(), HOUR * 1000)
  })
})

describe("revoke, revokeAll and list", () => {
  it("revoke ends that session only", async () => {
    const sessions = make()
    const a = await sessions.create({ userId: "u1" })
    const b = await sessions.create({ userId: "u1" })
    assert.equal(await sessions.revoke(bearer(a.token)), true)
    assert.equal(await sessions.verify(a.token), null)
    assert.equal(await sessions.revoke(a.token), false)
    assert.notEqual(await sessions.verify(b.token), null)
  })

  it("list shows a user's live sessions only; revokeAll ends all but one", async () => {
    const sessions = make()
    const mine = await Promise.all([1, 2, 3].map((n) => sessions.create({ userId: "u1", data: { n } })))
    const theirs = await sessions.create({ userId: "u2" })
    const short = await sessions.create({ userId: "u1" })
    clock.advanceSeconds(HOUR)
    assert.deepEqual(
      (await sessions.list("u1")).map((s) => s.id).sort(),
      [...mine, short].map((c) => c.session.id).sort(),
    )
    assert.deepEqual(await sessions.list("nobody"), [])
    const keep = mine[0] as { token: string; session: Session }
    assert.equal(await sessions.revokeAll("u1", { except: keep.session.id }), 3)
    assert.deepEqual(
      (await sessions.list("u1")).map((s) => s.id),
      [keep.session.id],
    )
    assert.notEqual(await sessions.verify(keep.token), null)
    assert.notEqual(await sessions.verify(theirs.token), null)
    assert.equal(await sessions.revokeAll("u1"), 1)
    assert.equal(await sessions.verify(keep.token), null)
  })

  it("loses none of 200 concurrent logins of one user, and the index expires with them", async () => {
    const sessions = make({ renew: false })
    const created = await Promise.all(Array.from({ length: 200 }, () => sessions.create({ userId: "busy" })))
    assert.equal((await sessions.list("busy")).length, 200)
    clock.advanceSeconds(DAY)
    assert.deepEqual(await sessions.list("busy"), [])
    await driver.sweep()
    assert.deepEqual(driver.dump(), [], "nothing is left once the sessions expire")
    assert.equal(created.length, 200)
  })

  it("a renewal never brings back a session revoked meanwhile", async () => {
    const sessions = make()
    for (let round = 0; round < 100; round++) {
      const { token } = await sessions.create({ userId: `r${round}` })
      clock.advanceSeconds(DAY / 2 + 1)
      const racing = Array.from({ length: 5 }, () => sessions.verify(token))
      const revoked = round % 2 === 0 ? sessions.revoke(token) : sessions.revokeAll(`r${round}`)
      await Promise.all([...racing, revoked])
      assert.equal(await sessions.verify(token), null, `round ${round}`)
      assert.deepEqual(await sessions.list(`r${round}`), [])
    }
  })
})

describe("cookies", () => {
  it("sets an HttpOnly SameSite=Lax cookie on / whose Max-Age ends with the session, Secure on https", async () => {
    const sessions = make()
    const created = await sessions.create({ userId: "u1" })
    const https = sessions.setCookie(new Response("ok"), created, new Request("https://app.example/login"))
    assert.equal(
      https.headers.get("set-cookie"),
      `session=${created.token}; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax; Secure`,
    )
    const http = sessions.setCookie(Response.json({}), created, new Request("http://localhost:3000/login"))
    assert.equal(
      http.headers.get("set-cookie"),
      `session=${created.token}; Max-Age=86400; Path=/; HttpOnly; SameSite=Lax`,
    )
    const proxied = new Request("http://app.internal/login", { headers: { "x-forwarded-proto": "https" } })
    assert.match(sessions.setCookie(new Response(), created, proxied).headers.get("set-cookie") ?? "", /; Secure$/)
    assert.match(sessions.setCookie(new Response(), created).headers.get("set-cookie") ?? "", /; Secure$/)
    const remembered = await sessions.create({ userId: "u1", rememberMe: true })
    clock.advanceSeconds(10)
    assert.match(sessions.setCookie(new Response(), remembered).headers.get("set-cookie") ?? "", /Max-Age=2591990;/)
    const redirect = sessions.setCookie(Response.redirect("https://app.example/", 303), created)
    assert.equal(redirect.status, 303)
    assert.match(redirect.headers.get("set-cookie") ?? "", /^session=/)
    assert.equal(
      sessions.clearCookie(new Response(), new Request("https://app.example/")).headers.get("set-cookie"),
      "session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure",
    )
  })

  it("authenticates by cookie, except on a cross-site unsafe request", async () => {
    const sessions = make({ cookie: { name: "sid" } })
    const { token } = await sessions.create({ userId: "u1" })
    const withCookie = (method: string, headers: Record<string, string> = {}) =>
      new Request("https://app.example/api/x", { method, headers: { cookie: `theme=dark; sid=${token}`, ...headers } })
    assert.notEqual(await sessions.verify(withCookie("GET")), null)
    assert.notEqual(await sessions.verify(withCookie("POST")), null, "no browser headers: not a browser")
    assert.notEqual(await sessions.verify(withCookie("POST", { "sec-fetch-site": "same-origin" })), null)
    assert.notEqual(await sessions.verify(withCookie("POST", { origin: "https://app.example" })), null)
    assert.notEqual(await sessions.verify(withCookie("GET", { "sec-fetch-site": "cross-site" })), null, "a link")
    const hostile: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { "sec-fetch-site": "cross-site", origin: "https://app.example" },
      { origin: "https://evil.example" },
      { origin: "null" },
      { origin: "http://app.example.evil.example" },
    ]
    for (const headers of hostile) {
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        assert.equal(await sessions.verify(withCookie(method, headers)), null, `${method} ${JSON.stringify(headers)}`)
      }
      assert.equal(await sessions.revoke(withCookie("POST", headers)), false, "nor can it log the user out")
    }
    assert.notEqual(await sessions.verify(token), null)
    assert.notEqual(
      await sessions.verify(bearer(token, { method: "POST", headers: { "sec-fetch-site": "cross-site" } })),
      null,
      "a Bearer token is never sent by the browser on its own",
    )
  })

  it("with cookie: false reads Bearer tokens only", async () => {
    const sessions = make({ cookie: false })
    const { token } = await sessions.create({ userId: "u1" })
    assert.equal(
      await sessions.verify(new Request("https://a.example/", { headers: { cookie: `session=${token}` } })),
      null,
    )
    assert.throws(() => sessions.clearCookie(new Response()), { code: "KV_OPTIONS_INVALID" })
  })
})

describe("required()", () => {
  it("answers 401 without a session, passes the session on, and refreshes a renewed cookie", async () => {
    const sessions = make()
    const app = backend<Record<string, unknown>, { session: Session }>()
    app.use(sessions)
    app.use("/api/*", sessions.required())
    app.get("/api/me", (_request, ctx) => Response.json({ userId: ctx.get("session").userId }))
    app.get("/open", () => new Response("open"))
    const { token } = await sessions.create({ userId: "u1" })
    const anonymous = await app.fetch(new Request("http://x/api/me"))
    assert.equal(anonymous.status, 401)
    assert.equal(anonymous.headers.get("www-authenticate"), "Bearer")
    assert.equal((await app.fetch(new Request("http://x/api/nothing-here"))).status, 401)
    assert.equal((await app.fetch(new Request("http://x/open"))).status, 200)
    assert.deepEqual(await (await app.fetch(bearer(token))).status, 404)
    const me = await app.fetch(new Request("http://x/api/me", { headers: { authorization: `Bearer ${token}` } }))
    assert.deepEqual(await me.json(), { userId: "u1" })
    const byCookie = () => app.fetch(new Request("http://x/api/me", { headers: { cookie: `session=${token}` } }))
    assert.equal((await byCookie()).headers.get("set-cookie"), null, "no renewal, no cookie")
    clock.advanceSeconds(DAY / 2)
    assert.match((await byCookie()).headers.get("set-cookie") ?? "", /^session=.*; Max-Age=86400;/)
    assert.equal((await byCookie()).headers.get("set-cookie"), null)
    await sessions.close()
  })
})

describe("options", () => {
  it("refuses what would silently do something else, naming it", () => {
    const cases: [unknown, string, RegExp][] = [
      [{ ttl: 60 }, "KV_OPTIONS_INVALID", /no option "ttl"/],
      [{ ttlSeconds: 30 }, "KV_TTL_INVALID", /ttlSeconds must be .* at least 60/],
      [{ maxAgeSeconds: 1.5 }, "KV_TTL_INVALID", /maxAgeSeconds/],
      [{ consistency: "eventual" }, "KV_OPTIONS_INVALID", /renew needs consistency: "strong"/],
      [{ cookie: { sameSite: "None" } }, "KV_OPTIONS_INVALID", /sameSite/],
      [{ cookie: { name: "a;b" } }, "KV_OPTIONS_INVALID", /cookie.name/],
      [{ cookie: { domain: "x.example; Path=/admin" } }, "KV_OPTIONS_INVALID", /cookie.domain/],
      [{ renew: "yes" }, "KV_OPTIONS_INVALID", /renew must be a boolean/],
    ]
    for (const [options, code, message] of cases) {
      assert.throws(
        () => auth.sessions(options as never),
        (error: unknown) => isKVError(error) && error.code === code && message.test(error.message),
        JSON.stringify(options),
      )
    }
    assert.doesNotThrow(() => auth.sessions({ consistency: "eventual", renew: false, driver }))
  })

  it("create() refuses a bad user id or data before writing", async () => {
    const sessions = make()
    for (const bad of [
      {},
      { userId: "" },
      { userId: 7 },
      { userId: "x".repeat(513) },
      { userId: "u", data: [] },
      { userId: "u", rememberMe: 1 },
    ]) {
      await assert.rejects(sessions.create(bad as never), { code: "KV_OPTIONS_INVALID" }, JSON.stringify(bad))
    }
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await assert.rejects(sessions.create({ userId: "u", data: cyclic }), { code: "KV_OPTIONS_INVALID" })
    assert.equal(driver.calls.put, 0)
  })
})
