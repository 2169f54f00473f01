// How export and copy read a store: through the store's unordered walk when
// its driver has scanKeys(), with what a walk may do (repeat a key, name an
// expired entry, name another store's key, fail for now part way), and
// through list pages when it has none. In this process, on memory drivers.
import assert from "node:assert/strict"
import { describe, test } from "node:test"
import { type KVDriver, KVError, kv } from "@layeron/modules"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { FakeClock } from "@layeron/modules/testing"
import { readEntries } from "../../dist/kv/read-entries.js"

/** A memory driver with a scanKeys() of batches of 300, each key twice, that fails once after `failAfter` batches. */
function walkingDriver(failAfter: number): KVDriver & { walks: number } {
  const base = memoryDriver()
  let failed = false
  const driver = {
    name: "walking memory",
    walks: 0,
    get: (key: string) => base.get(key),
    getMany: (keys: readonly string[]) => base.getMany(keys),
    put: (key: string, entry: Parameters<KVDriver["put"]>[1]) => base.put(key, entry),
    delete: (key: string) => base.delete(key),
    list: (options: Parameters<KVDriver["list"]>[0]) => base.list(options),
    close: () => base.close(),
    async *scanKeys(prefix: string) {
      driver.walks++
      // Every key the memory driver holds, expired or not, whatever its store: a walk filters nothing.
      const all = (await base.list({ prefix: "", limit: 100_000, cursor: null, now: 0 })).entries.map((e) => e.key)
      for (let start = 0, batch = 0; start < all.length; start += 300, batch++) {
        if (batch === failAfter && !failed) {
          failed = true
          throw new KVError("KV_UNAVAILABLE", "redis is busy (a test's fault)")
        }
        const keys = all.slice(start, start + 300)
        yield [...keys, ...keys.filter((key) => key.startsWith(prefix))]
      }
    },
  }
  return driver
}

async function readAll(store: Parameters<typeof readEntries>[0], prefix = "") {
  const keys: string[] = []
  for await (const page of readEntries(store, prefix)) keys.push(...page.map((entry) => entry.key))
  return keys
}

describe("readEntries", () => {
  test("the walk: every live entry once, none expired, none of another store's, through a failure for now", async () => {
    const clock = new FakeClock(Date.now())
    const driver = walkingDriver(2)
    const store = kv({ name: "walked", namespace: "a", driver, clock })
    const neighbour = kv({ name: "walked", namespace: "a2", driver, clock })
    const live = Array.from({ length: 1500 }, (_, index) => `k:${index}`)
    for (const key of live) await store.put(key, key)
    for (const key of live.slice(0, 100)) await neighbour.put(key, "other")
    await store.put("short", "gone soon", { ttlSeconds: 60 })
    clock.advanceSeconds(61)
    const keys = await readAll(store as never)
    assert.equal(driver.walks, 2, "the failed walk started over")
    assert.equal(keys.length, new Set(keys).size, "no key twice")
    assert.deepEqual(keys.sort(), [...live].sort(), "every live key of this store only")
    assert.deepEqual((await readAll(store as never, "k:14")).sort(), live.filter((k) => k.startsWith("k:14")).sort())
  })

  test("a failure other than for now stops the read", async () => {
    const base = memoryDriver()
    const driver: KVDriver = {
      ...walkingDriver(99),
      name: "failing walk",
      get: (key) => base.get(key),
      getMany: (keys) => base.getMany(keys),
      put: (key, entry) => base.put(key, entry),
      list: (options) => base.list(options),
      // biome-ignore lint/correctness/useYield: it fails before its first batch
      async *scanKeys() {
        throw new Error("broken walk")
      },
    }
    const store = kv({ name: "broken", driver })
    await store.put("k", "v")
    await assert.rejects(readAll(store as never), (error: KVError) => error.code === "KV_DRIVER_ERROR")
  })

  test("without scanKeys, list pages in key order", async () => {
    const store = kv({ name: "listed", driver: memoryDriver() })
    const live = Array.from({ length: 2100 }, (_, index) => `k:${String(index).padStart(4, "0")}`)
    for (const key of live) await store.put(key, key)
    assert.deepEqual(await readAll(store as never), live)
  })
})
