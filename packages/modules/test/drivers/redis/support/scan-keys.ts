// What the Redis driver's scanKeys() promises, on a standalone server or a
// cluster: every key of the prefix (glob characters and escapes included) in
// batches a getMany() takes, none of another store's, and, through the store,
// an entry that expired by the store's clock read back as absent.
import assert from "node:assert/strict"
import { kv } from "@layeron/modules"
import type { RedisDriver } from "@layeron/modules/drivers/redis"
import type { FakeClock } from "@layeron/modules/testing"

const SCAN_KEYS = Symbol.for("layeron.kv.scanKeys")

async function collect(batches: AsyncIterable<readonly string[]>): Promise<{ keys: string[]; batches: number }> {
  const keys: string[] = []
  let count = 0
  for await (const batch of batches) {
    assert.ok(batch.length > 0 && batch.length <= 1000, `a batch of ${batch.length}`)
    keys.push(...batch)
    count++
  }
  return { keys, batches: count }
}

/** Stores named `${name}...` in namespace `scan` on `driver`; `open` makes another driver on the same backend. */
export async function checkScanKeys(driver: RedisDriver, name: string, clock: FakeClock): Promise<void> {
  const store = kv({ name, namespace: "scan", driver, clock })
  const neighbours = [
    kv({ name: `${name}x`, namespace: "scan", driver }), // its scope starts with the same letters
    kv({ name, namespace: "scan2", driver }),
  ]
  const tricky = ["*", "?", "[a]", "\\", "%25", "}", "{x}", "ключ/🔑"]
  const keys = [...tricky, ...Array.from({ length: 2500 }, (_, index) => `session:${index}`)]
  // A hundred at a time: thousands at once outrun a cluster's per-command deadline on a busy machine.
  for (let start = 0; start < keys.length; start += 100) {
    await Promise.all(keys.slice(start, start + 100).map((key) => store.put(key, "v", { ttlSeconds: 3600 })))
  }
  for (const other of neighbours) await Promise.all(keys.slice(0, 50).map((key) => other.put(key, "other")))

  const walk = (prefix?: string) =>
    (store as unknown as Record<symbol, (p?: string) => AsyncIterable<string[]>>)[SCAN_KEYS]?.call(
      store,
      prefix,
    ) as AsyncIterable<string[]>
  const all = await collect(walk())
  assert.deepEqual([...new Set(all.keys)].sort(), [...keys].sort(), "every key of the store, no other store's")
  assert.ok(all.batches >= 3, `2508 keys come in batches: ${all.batches}`)
  const sessions = await collect(walk("session:1"))
  assert.deepEqual(
    [...new Set(sessions.keys)].sort(),
    keys.filter((key) => key.startsWith("session:1")).sort(),
    "a prefix narrows the walk",
  )
  for (const glob of ["*", "?", "[a]", "\\"]) {
    assert.deepEqual((await collect(walk(glob))).keys, [glob], `${glob} is literal`)
  }
  const raw = await collect(driver.scanKeys(`scan/${name}/session:2`))
  assert.ok(
    raw.keys.length > 0 && raw.keys.every((key) => key.startsWith(`scan/${name}/session:2`)),
    "the driver's own walk",
  )

  // An hour later by the store's clock: the walk may still name them (Redis runs on real time), reads do not.
  clock.advanceSeconds(3600)
  const late = await collect(walk("session:2"))
  const found = await store.getMany(late.keys.slice(0, 1000))
  assert.ok(
    [...found.values()].every((handle) => handle === null),
    "expired entries are left out",
  )
}
