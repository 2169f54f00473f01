// The Redis driver against a real redis-server on a free port: what is
// particular to Redis (round trips, native expiry, key layout, SCAN-based
// listing). The shared conformance suite covers the store's semantics.
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { isKVError, KV_LIMITS, KVStore, kv } from "@layeron/modules"
import { type RedisDriver, redisDriver } from "@layeron/modules/drivers/redis"
import { FakeClock } from "@layeron/modules/testing"
import { RedisServer } from "@layeron/test-support/redis-server"
import fc from "fast-check"
import { toRedisKey } from "../../../src/kv/drivers/redis/keys.ts"
import { commandCalls, resetStats } from "../../support/redis-stats.ts"
import { checkScanKeys } from "./support/scan-keys.ts"

let server: RedisServer
let driver: RedisDriver

before(async () => {
  server = await new RedisServer().start()
  driver = await redisDriver({ url: server.url })
})

after(async () => {
  await driver?.close()
  await server?.dispose()
})

const HOUR = 3600

describe("scanKeys, the unordered walk of layeron kv export|copy", () => {
  test("every key of the prefix once a SCAN per master, no other store's, expired ones absent on read", async () => {
    await checkScanKeys(driver, "walk", new FakeClock(Date.now()))
  })
})

describe("round trips", () => {
  test("get is one GET, getMany one MGET, put one SET with PXAT, delete one DEL", async () => {
    const store = kv({ name: "trips", driver })
    await store.put("a", "1", { ttlSeconds: HOUR, metadata: { role: "admin" }, contentType: "application/x-a" })
    await store.put("b", "2")
    await resetStats(server)
    const handle = await store.get("a")
    assert.deepEqual(await commandCalls(server), { get: 1 })
    assert.equal(await handle?.text(), "1")
    assert.equal(handle?.contentType, "application/x-a")
    assert.deepEqual(handle?.metadata, { role: "admin" })
    assert.ok(handle?.expiresAt instanceof Date)

    await resetStats(server)
    const many = await store.getMany(["a", "b", "missing", "a"])
    assert.deepEqual(await commandCalls(server), { mget: 1 })
    assert.deepEqual(
      [...many].map(([key, value]) => [key, value === null]),
      [
        ["a", false],
        ["b", false],
        ["missing", true],
      ],
    )

    await resetStats(server)
    await store.put("c", "3", { ttlSeconds: HOUR })
    await store.delete("c")
    assert.deepEqual(await commandCalls(server), { set: 1, del: 1 })
  })

  test("a getMany of the most keys a call takes is a few MGETs of 250 keys, in order", async () => {
    const store = kv({ name: "batches", driver })
    const keys = Array.from({ length: KV_LIMITS.maxGetManyKeys }, (_, index) => `k${index}`)
    for (const index of [0, 249, 250, 999]) await store.put(`k${index}`, `v${index}`)
    await resetStats(server)
    const many = await store.getMany(keys)
    assert.deepEqual(await commandCalls(server), { mget: KV_LIMITS.maxGetManyKeys / 250 })
    assert.deepEqual([...many.keys()], keys)
    for (const index of [0, 249, 250, 999]) assert.equal(await many.get(`k${index}`)?.text(), `v${index}`)
    assert.equal(many.get("k1"), null)
  })
})

describe("atomic operations", () => {
  test("each is one round trip: a script (EVALSHA), SET NX or GETDEL", async () => {
    const store = kv({ name: "atomic-trips", driver, consistency: "strong" })
    // Loads the scripts (the first call of each may be a NOSCRIPT then an EVAL).
    await store.add("warm", "1")
    await store.increment("warm")
    await store.delete("warm", { ifVersion: (await store.get("warm"))?.version })
    const calls = async (run: () => Promise<unknown>) => {
      await resetStats(server)
      await run()
      return commandCalls(server)
    }
    // An add of a key Redis does not hold is one SET NX.
    assert.deepEqual(await calls(() => store.add("k", "1", { ttlSeconds: HOUR })), { set: 1 })
    // Over a key Redis holds, the SET NX writes nothing and the script decides by the store's clock.
    // Commands a script runs are counted too: one EVALSHA from the client, its GET (and SET) inside.
    assert.equal(await store.add("k", "2"), false)
    assert.deepEqual(await calls(() => store.add("k", "2")), { set: 1, evalsha: 1, get: 1 })
    assert.equal(await (await store.get("k"))?.text(), "1", "a live entry is left as it was")
    assert.deepEqual(await calls(() => store.increment("k")), { evalsha: 1, get: 1, set: 1 })
    const version = (await store.get("k"))?.version
    assert.deepEqual(await calls(() => store.put("k", "5", { ifVersion: version })), { evalsha: 1, get: 1, set: 1 })
    assert.deepEqual(await calls(() => store.getAndDelete("k")), { getdel: 1 })
  })

  test("Redis's own expiry: set at creation, kept by increments (KEEPTTL)", async () => {
    const store = kv({ name: "atomic-ttl", driver, consistency: "strong" })
    const redisAt = (key: string) => server.cli("pexpiretime", toRedisKey(`default/atomic-ttl/${key}`)).then(Number)
    await store.add("added", "v", { ttlSeconds: HOUR })
    assert.equal(await redisAt("added"), (await store.get("added"))?.expiresAt?.getTime())
    await store.increment("counter", 1, { ttlSeconds: 2 * HOUR })
    const at = (await store.get("counter"))?.expiresAt?.getTime()
    assert.equal(await redisAt("counter"), at)
    await store.increment("counter", 1, { ttlSeconds: HOUR })
    assert.equal(await redisAt("counter"), at, "kept")
    assert.equal((await store.get("counter"))?.expiresAt?.getTime(), at)
    await store.increment("lasting")
    assert.equal(await redisAt("lasting"), -1)
  })

  test('entries an eventual store wrote (no version) serve a strong one: version "" until written', async () => {
    await kv({ name: "mixed", driver }).put("count", "41", { metadata: { m: 1 } })
    const strong = kv({ name: "mixed", driver, consistency: "strong" })
    const old = await strong.get("count")
    assert.equal(old?.version, "")
    assert.equal(await strong.increment("count"), 42)
    const counted = await strong.get("count")
    assert.deepEqual(counted?.metadata, { m: 1 }, "the rewritten header keeps the metadata")
    assert.ok(counted?.version, "a new version")
    await strong.put("count", "x", { ifVersion: counted?.version })
    assert.equal(await (await kv({ name: "mixed", driver }).get("count"))?.text(), "x", "an eventual store reads it")
  })

  test("a foreign value under the prefix is a driver error naming the key, and is left alone", async () => {
    const store = kv({ name: "atomic-foreign", driver, consistency: "strong" })
    const redisKey = toRedisKey("default/atomic-foreign/bad")
    await server.cli("set", redisKey, "not an entry")
    for (const call of [
      () => store.add("bad", "v"),
      () => store.increment("bad"),
      () => store.update("bad", () => "v"),
    ]) {
      await assert.rejects(call, (error) => isKVError(error, "KV_DRIVER_ERROR") && /bad/.test(error.message))
    }
    assert.equal(await server.cli("get", redisKey), "not an entry\n")
  })
})

describe("expiry", () => {
  test("Redis expires an entry by itself at the instant the store gives it (PXAT)", async () => {
    const store = kv({ name: "native", driver })
    await store.put("session", "x", { ttlSeconds: 2 * HOUR })
    const handle = await store.get("session")
    const at = Number(await server.cli("pexpiretime", toRedisKey("default/native/session")))
    assert.equal(at, handle?.expiresAt?.getTime())
    await store.put("forever", "x")
    assert.equal(Number(await server.cli("pexpiretime", toRedisKey("default/native/forever"))), -1)
  })

  test("a test clock far from real time: the store's clock decides, Redis keeps the entry its full TTL", async () => {
    for (const start of [Date.UTC(2031, 0, 1), Date.UTC(2001, 0, 1)]) {
      const clock = new FakeClock(start)
      const timed = await redisDriver({ url: server.url, clock })
      try {
        const store = kv({ name: `clock-${start}`, driver: timed, clock })
        await store.put("k", "v", { ttlSeconds: HOUR })
        const redisAt = Number(await server.cli("pexpiretime", toRedisKey(`default/clock-${start}/k`)))
        const remaining = redisAt - Date.now()
        assert.ok(remaining > HOUR * 1000 - 5000 && remaining <= HOUR * 1000, `Redis keeps it ${remaining} ms`)
        assert.equal(await (await store.get("k"))?.text(), "v")
        clock.advanceSeconds(HOUR - 1)
        assert.equal(await store.has("k"), true)
        clock.advanceSeconds(1)
        assert.equal(await store.get("k"), null, "expired by the store's clock while Redis still holds it")
        assert.equal(await store.has("k"), false)
        assert.equal((await store.getMany(["k"])).get("k"), null)
        assert.deepEqual((await store.list()).keys, [])
        // add() too sees it absent, though Redis refuses the SET NX: the script writes by the store's clock.
        const strong = kv({ name: `clock-${start}`, driver: timed, clock, consistency: "strong" })
        assert.equal(await strong.add("k", "again", { ttlSeconds: HOUR }), true)
        assert.equal(await (await strong.get("k"))?.text(), "again")
        assert.equal(await strong.add("k", "third"), false)
      } finally {
        await timed.close()
      }
    }
  })

  test("a store whose own clock lags the driver's still finds its entries (kept an hour)", async () => {
    const store = kv({ name: "lagging", driver, clock: new FakeClock(Date.UTC(2001, 0, 1)) })
    await store.put("k", "v", { ttlSeconds: 60 })
    assert.equal(await (await store.get("k"))?.text(), "v")
    const remaining = Number(await server.cli("pexpiretime", toRedisKey("default/lagging/k"))) - Date.now()
    assert.ok(remaining > HOUR * 1000 - 5000 && remaining <= HOUR * 1000, `Redis keeps it ${remaining} ms`)
  })
})

describe("keys", () => {
  test("glob characters, braces and percent signs in keys, prefixes and store names are literal", async () => {
    const stores = [
      kv({ name: "a*", namespace: "n}", driver }),
      kv({ name: "a", namespace: "n", driver }),
      kv({ name: "a%2A", namespace: "n%7D", driver }),
    ]
    const keys = ["x*", "x?", "x[ab]", "x\\", "x{t}", "x}", "x%7D", "x%", "xa", "xb", "y"]
    for (const [index, store] of stores.entries()) {
      for (const key of keys) await store.put(key, `${index}:${key}`)
    }
    for (const [index, store] of stores.entries()) {
      for (const key of keys) assert.equal(await (await store.get(key))?.text(), `${index}:${key}`)
      assert.deepEqual(
        (await store.list()).keys.map((listed) => listed.name),
        [...keys].sort(),
      )
      for (const prefix of ["x*", "x?", "x[", "x\\", "x{", "x}", "x%", "x%7"]) {
        assert.deepEqual(
          (await store.list({ prefix })).keys.map((listed) => listed.name),
          keys.filter((key) => key.startsWith(prefix)).sort(),
          `prefix ${prefix}`,
        )
      }
    }
  })

  test("Redis keys of storage.kv start with layeron:kv: and the whole store key is the hash tag", async () => {
    const store = kv({ name: "layout", namespace: "auth", driver })
    await store.put("{tenant}:x}%", "v")
    const keys = (await server.cli("--scan", "--pattern", "layeron:kv:{auth/layout/*")).trim().split("\n")
    assert.deepEqual(keys, ["layeron:kv:{auth/layout/{tenant%7D:x%7D%25}"])
    assert.equal(keys[0], toRedisKey("auth/layout/{tenant}:x}%"))
  })

  test("other Redis keys are left alone; a foreign value under the prefix is a driver error naming it", async () => {
    const store = kv({ name: "foreign", driver })
    await server.cli("set", "app:counter", "1")
    await server.cli("set", toRedisKey("default/foreign/bad"), "not an entry")
    await assert.rejects(store.get("bad"), (error) => isKVError(error, "KV_DRIVER_ERROR") && /bad/.test(error.message))
    assert.equal(await server.cli("get", "app:counter"), "1\n")
  })
})

describe("list", () => {
  test("pages come in UTF-8 byte order with working cursors, whatever SCAN's order", async () => {
    const store = kv({ name: "order", driver })
    const keyArb = fc
      .string({ unit: "binary", minLength: 1, maxLength: 6 })
      .filter((key) => key !== "." && key !== "..")
    const keys = [...new Set(fc.sample(keyArb, { numRuns: 1500, seed: 7 }))]
    await Promise.all(keys.map((key) => store.put(key, "v", { metadata: { key } })))
    const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    for (const limit of [1000, 333, 7]) {
      const names: string[] = []
      let cursor: string | undefined
      do {
        const page = await store.list({ limit, ...(cursor ? { cursor } : {}) })
        assert.ok(page.keys.length <= limit)
        for (const listed of page.keys) assert.deepEqual(listed.metadata, { key: listed.name })
        names.push(...page.keys.map((listed) => listed.name))
        cursor = page.cursor
        assert.equal(page.complete, cursor === undefined)
        if (limit === 7 && names.length > 70) break
      } while (cursor)
      assert.deepEqual(names, expected.slice(0, names.length), `limit ${limit}`)
      if (limit !== 7) assert.equal(names.length, expected.length)
    }
  })

  test("keys deleted or added between pages: no key twice, every key that stayed is seen", async () => {
    const store = kv({ name: "moving", driver })
    const keys = Array.from({ length: 300 }, (_, index) => `k${String(index).padStart(3, "0")}`)
    await Promise.all(keys.map((key) => store.put(key, "v")))
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await store.list({ limit: 50, ...(cursor ? { cursor } : {}) })
      seen.push(...page.keys.map((listed) => listed.name))
      cursor = page.cursor
      await store.delete(`k${String(seen.length + 10).padStart(3, "0")}`)
      await store.put(`a-late-${seen.length}`, "v")
    } while (cursor)
    assert.equal(new Set(seen).size, seen.length)
    const deleted = new Set(Array.from({ length: 6 }, (_, page) => `k${String((page + 1) * 50 + 10).padStart(3, "0")}`))
    for (const key of keys) if (!deleted.has(key)) assert.ok(seen.includes(key), key)
  })

  test("expired entries still in Redis never fill a page", async () => {
    const clock = new FakeClock()
    const timed = await redisDriver({ url: server.url, clock })
    try {
      const store = kv({ name: "dead", driver: timed, clock })
      for (let index = 0; index < 40; index++) {
        await store.put(`k${String(index).padStart(2, "0")}`, "v", { ttlSeconds: index % 4 === 3 ? 2 * HOUR : HOUR })
      }
      clock.advanceSeconds(HOUR)
      const first = await store.list({ limit: 4 })
      assert.deepEqual(
        first.keys.map((listed) => listed.name),
        ["k03", "k07", "k11", "k15"],
      )
      const rest = await store.list({ limit: 6, cursor: first.cursor as string })
      assert.deepEqual(
        rest.keys.map((listed) => listed.name),
        ["k19", "k23", "k27", "k31", "k35", "k39"],
      )
      assert.equal(rest.complete, true)
      await assert.rejects(store.list({ cursor: "not a cursor!" }), (error) => isKVError(error, "KV_CURSOR_INVALID"))
    } finally {
      await timed.close()
    }
  })
})

describe("values and sharing", () => {
  test("binary, empty and multi-megabyte values come back byte for byte", async () => {
    const store = kv({ name: "values", driver })
    const big = new Uint8Array(6 * 1024 * 1024).map((_, index) => (index * 31) % 251)
    await store.put("big", big)
    await store.put("empty", "")
    await store.put("bytes", new Uint8Array([0, 255, 1, 254]))
    const bytes = async (key: string) => new Uint8Array((await (await store.get(key))?.arrayBuffer()) ?? [])
    assert.deepEqual(await bytes("big"), big)
    assert.equal(await (await store.get("empty"))?.text(), "")
    assert.deepEqual([...(await bytes("bytes"))], [0, 255, 1, 254])
  })

  test("stores named by URL share one connection; the last close ends it", async () => {
    const a = new KVStore({ name: "url-a", driver: server.url })
    const b = new KVStore({ name: "url-b", driver: server.url })
    await a.put("k", "from a")
    await b.put("k", "from b")
    assert.equal(await (await a.get("k"))?.text(), "from a")
    assert.equal(await (await b.get("k"))?.text(), "from b")
    const clients = () => server.cli("client", "list").then((list) => list.trim().split("\n").length)
    const before = await clients()
    await a.close()
    assert.equal(await clients(), before)
    await b.close()
    assert.equal(await clients(), before - 1)
  })
})
