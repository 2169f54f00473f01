// The in-process read cache kept correct by Redis (CLIENT TRACKING), against
// a real redis-server: hot reads cost no round trip, a change made by any
// other client evicts the entry, and a lost connection empties the cache.
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { isKVError, kv, type StoredEntry } from "@layeron/modules"
import { type RedisDriver, redisDriver } from "@layeron/modules/drivers/redis"
import { RedisServer } from "@layeron/test-support/redis-server"
import { ReadCache } from "../../../src/kv/drivers/redis/cache.ts"
import { toRedisKey } from "../../../src/kv/drivers/redis/keys.ts"
import { commandCalls, resetStats } from "../../support/redis-stats.ts"

let server: RedisServer
let driver: RedisDriver
let other: RedisDriver

before(async () => {
  server = await new RedisServer().start()
  driver = await redisDriver({ url: `${server.url}?cache=on` })
  other = await redisDriver({ url: server.url })
})

after(async () => {
  await driver?.close()
  await other?.close()
  await server?.dispose()
})

function cacheOf(target: RedisDriver): NonNullable<RedisDriver["cache"]> {
  assert.ok(target.cache, "the driver has a cache")
  return target.cache
}

/** Waits for a condition that news from Redis makes true; fails after `limitMs`. */
async function until(condition: () => boolean, what: string, limitMs = 1000): Promise<number> {
  const start = performance.now()
  while (!condition()) {
    assert.ok(performance.now() - start < limitMs, `${what}: not within ${limitMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  return performance.now() - start
}

describe("the read cache", () => {
  test("a hot read costs no round trip", async () => {
    const store = kv({ name: "hot", driver })
    await store.put("session:1", JSON.stringify({ user: "ada" }), { ttlSeconds: 3600, metadata: { v: 1 } })
    await store.get("session:1")
    await resetStats(server)
    const hits = cacheOf(driver).hits
    for (let index = 0; index < 100; index++) {
      const handle = await store.get("session:1")
      assert.deepEqual(await handle?.json(), { user: "ada" })
      assert.deepEqual(handle?.metadata, { v: 1 })
    }
    assert.equal(await store.has("session:1"), true)
    assert.equal((await store.getMany(["session:1"])).size, 1)
    assert.deepEqual(await commandCalls(server), {})
    assert.equal(cacheOf(driver).hits - hits, 102)
  })

  test("another process's change or delete evicts the entry everywhere at once", async () => {
    const mine = kv({ name: "shared", driver })
    const theirs = kv({ name: "shared", driver: other })
    const redisKey = toRedisKey("default/shared/session:2")
    for (let round = 0; round < 20; round++) {
      await theirs.put("session:2", `v${round}`)
      // A read that an invalidation overtakes is not cached (it might predate it): read until one sticks.
      for (let attempt = 0; !cacheOf(driver).has(redisKey); attempt++) {
        assert.ok(attempt < 10, "cached after a few reads")
        assert.equal(await (await mine.get("session:2"))?.text(), `v${round}`)
      }
      if (round % 2 === 0) {
        await theirs.put("session:2", `changed ${round}`)
        await until(() => !cacheOf(driver).has(redisKey), "evicted after a put elsewhere")
        assert.equal(await (await mine.get("session:2"))?.text(), `changed ${round}`)
      } else {
        await theirs.delete("session:2")
        await until(() => !cacheOf(driver).has(redisKey), "evicted after a delete elsewhere")
        assert.equal(await mine.get("session:2"), null)
      }
    }
    await server.cli("set", redisKey, "x")
    await until(() => !cacheOf(driver).has(redisKey), "evicted after a write by redis-cli")
  })

  test("this process reads its own writes at once", async () => {
    const store = kv({ name: "own", driver })
    for (let round = 0; round < 20; round++) {
      await store.put("k", `v${round}`)
      assert.equal(await (await store.get("k"))?.text(), `v${round}`)
      assert.equal(await (await store.get("k"))?.text(), `v${round}`)
    }
    await store.delete("k")
    assert.equal(await store.get("k"), null)
  })

  test("atomic writes, by this process or another, leave no stale copy", async () => {
    const mine = kv({ name: "atomic", driver, consistency: "strong" })
    const theirs = kv({ name: "atomic", driver: other, consistency: "strong" })
    const redisKey = toRedisKey("default/atomic/k")
    /** Reads through the cache until a copy sticks, so the next change has one to evict. */
    const cached = async (expected: string | null) => {
      for (let attempt = 0; !cacheOf(driver).has(redisKey); attempt++) {
        assert.ok(attempt < 10, "cached after a few reads")
        const handle = await mine.get("k")
        assert.equal(handle === null ? null : await handle.text(), expected)
      }
    }
    const changes: [string, () => Promise<unknown>, string | null][] = [
      ["increment", () => theirs.increment("k"), "2"],
      ["put with ifVersion", async () => theirs.put("k", "3", { ifVersion: (await theirs.get("k"))?.version }), "3"],
      ["update", () => theirs.update("k", () => "4"), "4"],
      ["getAndDelete", () => theirs.getAndDelete("k"), null],
      ["add", () => theirs.add("k", "5"), "5"],
      ["delete with ifVersion", async () => theirs.delete("k", { ifVersion: (await theirs.get("k"))?.version }), null],
    ]
    await mine.put("k", "1")
    let expected: string | null = "1"
    for (const [what, change, after] of changes) {
      if (expected !== null) await cached(expected)
      await change()
      await until(() => !cacheOf(driver).has(redisKey), `evicted after ${what} elsewhere`)
      const handle = await mine.get("k")
      assert.equal(handle === null ? null : await handle.text(), after, what)
      expected = after
    }
    // This process's own atomic writes drop its copy before they return (not when Redis's news
    // arrives), so they are read back at once, with the version they wrote.
    await mine.put("k", "10")
    await cached("10")
    assert.equal(await mine.increment("k"), 11)
    assert.equal(cacheOf(driver).has(redisKey), false, "evicted by increment")
    assert.equal(await (await mine.get("k"))?.text(), "11")
    await cached("11")
    const updated = await mine.update("k", () => "12")
    assert.equal(cacheOf(driver).has(redisKey), false, "evicted by update")
    assert.equal((await mine.get("k"))?.version, updated?.version)
    await cached("12")
    await mine.getAndDelete("k")
    assert.equal(cacheOf(driver).has(redisKey), false, "evicted by getAndDelete")
    assert.equal(await mine.get("k"), null)
  })

  test("FLUSHALL empties it; large values are never cached", async () => {
    const store = kv({ name: "flush", driver })
    await store.put("a", "1")
    await store.get("a")
    assert.ok(cacheOf(driver).size > 0)
    await server.cli("flushall")
    await until(() => cacheOf(driver).size === 0, "emptied by FLUSHALL")
    assert.equal(await store.get("a"), null)
    await store.put("big", new Uint8Array(100 * 1024))
    await store.get("big")
    assert.equal(cacheOf(driver).has(toRedisKey("default/flush/big")), false)
  })

  test("Redis down: the cache is emptied and never answers; Redis back: it comes back on", async () => {
    const store = kv({ name: "down", driver })
    await store.put("session:3", "v")
    await store.get("session:3")
    await server.kill()
    await until(() => !cacheOf(driver).active, "turned off when the connection dropped")
    assert.equal(cacheOf(driver).size, 0)
    await assert.rejects(store.get("session:3"), (error) => isKVError(error, "KV_UNAVAILABLE"))
    await server.start()
    await until(() => cacheOf(driver).active, "tracking set up again")
    await store.put("session:3", "after")
    assert.equal(await (await store.get("session:3"))?.text(), "after")
    await resetStats(server)
    assert.equal(await (await store.get("session:3"))?.text(), "after")
    assert.deepEqual(await commandCalls(server), {})
    await other.close()
    other = await redisDriver({ url: server.url })
    await kv({ name: "down", driver: other }).delete("session:3")
    await until(() => !cacheOf(driver).has(toRedisKey("default/down/session:3")), "evicted after the restart")
  })
})

describe("a partition that no socket notices (Redis hung)", () => {
  test("the cache stops answering within 1.5 s, and answers again once Redis is heard from", async () => {
    const store = kv({ name: "hung", driver })
    await store.put("session:4", "v")
    await store.get("session:4")
    assert.equal(cacheOf(driver).fresh, true)
    process.kill(server.pid as number, "SIGSTOP")
    try {
      const took = await until(() => !cacheOf(driver).fresh, "stale", 2500)
      assert.ok(took <= 1600, `stopped answering after ${took.toFixed(0)} ms`)
      await assert.rejects(store.get("session:4"), (error) => isKVError(error, "KV_UNAVAILABLE"))
    } finally {
      process.kill(server.pid as number, "SIGCONT")
    }
    await until(() => cacheOf(driver).fresh, "fresh again", 2000)
    assert.equal(await (await store.get("session:4"))?.text(), "v")
  })
})

describe("ReadCache", () => {
  const entry: StoredEntry = { value: new Uint8Array([1]), contentType: "x", metadata: null, expiresAt: null }

  test("a read in flight when its key is invalidated is not cached", () => {
    const cache = new ReadCache()
    cache.activate()
    const fetch = cache.begin("k")
    cache.invalidate("k")
    cache.finish(fetch, entry)
    assert.equal(cache.has("k"), false)
    cache.finish(cache.begin("k"), entry)
    assert.equal(cache.has("k"), true)
  })

  test("a read begun before a reconnect is not cached, nor any while tracking is off", () => {
    const cache = new ReadCache()
    cache.activate()
    const fetch = cache.begin("k")
    cache.deactivate()
    cache.activate()
    cache.finish(fetch, entry)
    assert.equal(cache.has("k"), false)
    cache.deactivate()
    assert.equal(cache.begin("k"), null)
  })

  test("holds at most maxEntries, dropping the least recently read", () => {
    const cache = new ReadCache({ maxEntries: 2 })
    cache.activate()
    for (const key of ["a", "b"]) cache.finish(cache.begin(key), entry)
    cache.get("a")
    cache.finish(cache.begin("c"), entry)
    assert.deepEqual(
      ["a", "b", "c"].map((key) => cache.has(key)),
      [true, false, true],
    )
  })
})

describe("choosing it", () => {
  test("?cache=on turns it on; a cluster URL with it is refused", async () => {
    assert.equal(other.cache, undefined)
    assert.ok(driver.cache)
    await assert.rejects(
      redisDriver({ url: "redis+cluster://127.0.0.1:1,127.0.0.1:2", cache: true }),
      (error) => isKVError(error, "KV_CONFIG_INVALID") && /standalone/.test(error.message),
    )
  })
})
