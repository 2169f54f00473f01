// The sessions example under attack, over real sockets: a copy of the
// storage (SQLite file bytes, every Redis key and value) holds no token nor
// any 32-character piece of one; forged cross-site form posts are anonymous;
// renewals racing revocations never leave a revoked session valid; hostile
// tokens and cookies get 401, never a 500.
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import type { AnyBackend, NodeServer } from "@layeron/core"
import { auth, type Sessions } from "@layeron/modules"
import { redisDriver } from "@layeron/modules/drivers/redis"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import { FakeClock, useFakeClock } from "@layeron/modules/testing"
import { RedisServer } from "@layeron/test-support/redis-server"
import { Redis } from "ioredis"
import { type AppProcess, startApp } from "./support/cli-server.ts"
import { type Credential, call, headersOf, login, status, token } from "./support/client.ts"
import { rawRequest } from "./support/raw-request.ts"

const HOUR = 3600
const dataDir = mkdtempSync(join(tmpdir(), "layeron-sessions-security-"))
const dbFile = join(dataDir, "kv.db")
const clock = useFakeClock()
let server: NodeServer
let base: string
let redis: RedisServer
let onRedis: AppProcess

before(async () => {
  process.env.LAYERON_KV = `sqlite:${dbFile}`
  const app = (await import("../app.ts")).default as AnyBackend
  server = await app.listen({ port: 0, hostname: "127.0.0.1", handleSignals: false })
  base = server.url.replace(/\/$/, "")
  redis = await new RedisServer().start()
  onRedis = await startApp(redis.url)
})

after(async () => {
  await server?.close()
  await onRedis?.stop()
  await redis?.dispose()
  clock.restore()
  delete process.env.LAYERON_KV
  rmSync(dataDir, { recursive: true, force: true })
})

/** Every 32-character piece of each token (and the token itself) that occurs in `bytes`. */
function tokenPiecesIn(bytes: Buffer, tokens: readonly string[]): string[] {
  const found: string[] = []
  for (const full of tokens) {
    for (let start = 0; start + 32 <= full.length; start++) {
      const piece = full.slice(start, start + 32)
      if (bytes.includes(piece)) found.push(piece)
    }
  }
  return found
}

/** Logs users in both ways on `at`, uses, renews and revokes some, and returns every token handed out. */
async function traffic(at: string, users: number, renew: boolean): Promise<{ tokens: string[]; emails: string[] }> {
  const tokens: string[] = []
  const emails: string[] = []
  for (let user = 0; user < users; user++) {
    const email = `user${user}.${at.length}@example.com`
    emails.push(email)
    const browser = await login(at, email, user % 2 === 0)
    const client = await token(at, email)
    tokens.push((browser.cookie as string).slice("session=".length), client.token)
    assert.equal(await status(at, browser), 200)
    if (user % 5 === 0) assert.equal((await call(at, client, "POST", "/api/logout-others")).status, 200)
  }
  if (renew) {
    clock.advanceSeconds(13 * HOUR)
    for (const held of tokens) await status(at, { authorization: `Bearer ${held}` })
  }
  return { tokens, emails }
}

describe("a copy of the storage authenticates nobody", () => {
  it("the SQLite file (and its write-ahead log) holds no token nor any 32-character piece of one", async () => {
    const { tokens, emails } = await traffic(base, 40, true)
    const files = [dbFile, `${dbFile}-wal`].filter((file) => existsSync(file))
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)))
    // The scan looks at the right bytes: the sessions' user ids are there.
    for (const email of emails) assert.ok(bytes.includes(email), `${email} is in the file`)
    assert.deepEqual(tokenPiecesIn(bytes, tokens), [])
  })

  it("Redis holds no token nor any 32-character piece of one, in any key or value", async () => {
    const { tokens, emails } = await traffic(onRedis.url, 40, false)
    const client = new Redis(redis.url, { lazyConnect: true })
    await client.connect()
    try {
      const parts: Buffer[] = []
      let cursor = "0"
      do {
        const [next, keys] = await client.scanBuffer(cursor, "COUNT", 1000)
        cursor = String(next)
        for (const key of keys) {
          parts.push(key)
          const type = await client.type(key)
          if (type === "string") parts.push((await client.getBuffer(key)) ?? Buffer.alloc(0))
          else if (type === "hash") parts.push(...Object.values(await client.hgetallBuffer(key)))
          else assert.fail(`a ${type} key; the scan reads strings and hashes`)
        }
      } while (cursor !== "0")
      const bytes = Buffer.concat(parts)
      for (const email of emails) assert.ok(bytes.includes(email), `${email} is in Redis`)
      assert.deepEqual(tokenPiecesIn(bytes, tokens), [])
    } finally {
      client.disconnect()
    }
  })
})

describe("forged cross-site requests are anonymous", () => {
  const forgeries: Record<string, string>[] = [
    { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site", origin: "https://sibling.example.com" },
    { origin: "https://evil.example" },
    { origin: "null" },
  ]

  it("a form post from another site can neither log the user out nor log out their devices", async () => {
    const victim = await login(base, "victim@example.com")
    const phone = await token(base, "victim@example.com")
    for (const headers of forgeries) {
      for (const path of ["/api/logout", "/api/logout-others", "/api/profile"]) {
        const response = await fetch(`${base}${path}`, {
          method: "POST",
          headers: headersOf(victim, { ...headers, "content-type": "application/x-www-form-urlencoded" }),
          body: "confirm=yes",
        })
        assert.equal(response.status, 401, `${path} ${JSON.stringify(headers)}`)
        await response.arrayBuffer()
      }
    }
    assert.equal(await status(base, victim), 200, "the victim is still logged in")
    assert.equal(await status(base, phone), 200, "and so are the victim's other devices")
    // A link from another site (a safe GET) still arrives logged in, as SameSite=Lax allows.
    const followed = await fetch(`${base}/api/profile`, {
      headers: headersOf(victim, { "sec-fetch-site": "cross-site" }),
    })
    assert.equal(followed.status, 200)
    // The app's own page posting is not a forgery.
    const own = await fetch(`${base}/api/logout-others`, {
      method: "POST",
      headers: headersOf(victim, { "sec-fetch-site": "same-origin", origin: base }),
    })
    assert.deepEqual(await own.json(), { revoked: 1 })
    assert.equal(await status(base, phone), 401)
  })
})

describe("a renewal never brings back a revoked session", () => {
  it("over the example's sockets: renewals and a logout interleaved, 60 rounds", async () => {
    for (let round = 0; round < 60; round++) {
      const email = `race${round}@example.com`
      const held: Credential = round % 2 === 0 ? await token(base, email) : await login(base, email)
      const other = await token(base, email)
      clock.advanceSeconds(12 * HOUR + 1) // every request from now renews
      const ending =
        round % 3 === 0 ? call(base, other, "POST", "/api/logout-others") : call(base, held, "POST", "/api/logout")
      const racing = Array.from({ length: 4 }, () => status(base, held))
      const results = await Promise.all([ending.then((response) => response.status), ...racing])
      assert.ok(
        results.every((code) => code === 200 || code === 401),
        `round ${round}: ${results}`,
      )
      assert.equal(await status(base, held), 401, `round ${round}: the revoked session came back`)
      clock.advanceSeconds(12 * HOUR) // and a later renewal does not bring it back either
      assert.equal(await status(base, held), 401)
    }
  })

  for (const backend of ["sqlite", "redis"] as const) {
    it(`on ${backend}, two connections: 200 rounds of renewals racing revoke and revokeAll`, async () => {
      const raceClock = new FakeClock()
      // A driver each: two connections to the one Redis, or to the one SQLite file.
      const connect = async () =>
        backend === "redis"
          ? redisDriver({ url: redis.url, clock: raceClock })
          : sqliteDriver({ path: join(dataDir, "race.db") })
      const drivers = await Promise.all([connect(), connect()])
      const [one, two] = drivers.map((driver) =>
        auth.sessions({ driver, clock: raceClock, namespace: `race-${backend}` }),
      ) as [Sessions, Sessions]
      try {
        for (let round = 0; round < 200; round++) {
          const { token: held } = await one.create({ userId: `u${round % 7}` })
          raceClock.advanceSeconds(12 * HOUR + 1)
          const renewals = [one, two, one].map((sessions) => sessions.verify(held))
          const revoke = round % 2 === 0 ? two.revoke(held) : two.revokeAll(`u${round % 7}`)
          await Promise.all([...renewals, revoke])
          assert.equal(await one.verify(held), null, `round ${round}`)
          assert.equal(await two.verify(held), null, `round ${round}`)
        }
      } finally {
        await Promise.all([one.close(), two.close()])
        await Promise.all(drivers.map((driver) => driver.close()))
      }
    })
  }
})

describe("hostile tokens and cookies get 401, never a 500", () => {
  const valid = `${"A".repeat(22)}.${"B".repeat(22)}.${"C".repeat(43)}`
  const cases: [string, string | Buffer, number[]][] = [
    ["an empty Bearer", "authorization: Bearer ", [401]],
    ["Bearer with nothing after it", "authorization: Bearer", [401]],
    ["another scheme", "authorization: Basic YWRhOnB3", [401]],
    ["a well-formed unknown token", `authorization: Bearer ${valid}`, [401]],
    ["a token with trailing garbage", `authorization: Bearer ${valid}.x`, [401]],
    ["a 12 KB token", `authorization: Bearer ${"x".repeat(12_000)}`, [401]],
    ["a 40 KB token", `authorization: Bearer ${"x".repeat(40_000)}`, [431]],
    ["raw UTF-8 in the token", Buffer.from(`authorization: Bearer ${"é".repeat(44)}`, "utf8"), [401]],
    ["latin1 bytes in the token", Buffer.from(`authorization: Bearer ${"\xff".repeat(89)}`, "latin1"), [401]],
    ["a NUL in the token", "authorization: Bearer a\0b", [400]],
    ["an empty cookie", "cookie: session=", [401]],
    ["a cookie without a value", "cookie: session", [401]],
    ["only separators", "cookie: ;;;=;=;; ;", [401]],
    ["a quoted cookie", `cookie: session="${valid}"`, [401]],
    ["a cookie of the shape, unknown", `cookie: session=${valid}`, [401]],
    ["a 12 KB cookie", `cookie: session=${"y".repeat(12_000)}`, [401]],
    ["raw UTF-8 in the cookie", Buffer.from(`cookie: session=${"ü".repeat(44)}; a=ß`, "utf8"), [401]],
    ["800 cookies", `cookie: ${Array.from({ length: 800 }, (_, n) => `c${n}=v`).join("; ")}`, [401]],
    ["150 session cookies", `cookie: ${Array.from({ length: 150 }, () => `session=${valid}`).join("; ")}`, [401]],
    ["60 Cookie headers", Array.from({ length: 60 }, (_, n) => `cookie: session=${n}`).join("\r\n"), [401]],
    ["a cookie and a bad Bearer", `authorization: Bearer nope\r\ncookie: session=${valid}`, [401]],
  ]

  for (const [name, header, expected] of cases) {
    it(name, async () => {
      const head = Buffer.concat([
        Buffer.from("GET /api/profile HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n"),
        Buffer.isBuffer(header) ? header : Buffer.from(header, "latin1"),
        Buffer.from("\r\n\r\n"),
      ])
      const response = await rawRequest(server.port, head)
      assert.ok(expected.includes(response.status), `${name}: ${response.status}\n${response.text.slice(0, 300)}`)
      assert.doesNotMatch(response.text, /\bat \S+:\d+|Error:/)
    })
  }

  it("a real session is still served after all that", async () => {
    assert.equal(await status(base, await token(base, "after@example.com")), 200)
  })
})
