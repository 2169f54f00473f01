// What each entry point of the package exports at run time: the documented
// API and nothing else. Internals (key encoding, URL parsing, SQL, the read
// cache) stay private so they can change; tests reach them by relative path.
import assert from "node:assert/strict"
import { it } from "node:test"

const ENTRIES: Record<string, string[]> = {
  "@layeron/modules": [
    "DEFAULT_KV_URL",
    "KVError",
    "KVHandle",
    "KVStore",
    "KV_ERROR_CODES",
    "KV_LIMITS",
    "auth",
    "isKVError",
    "kv",
    "parseKVUrl",
    "setDefaultClock",
    "storage",
    "systemClock",
  ],
  "@layeron/modules/testing": ["CONFORMANCE_RULES", "FakeClock", "STRONG_RULES", "runKVConformance", "useFakeClock"],
  "@layeron/modules/drivers/memory": ["MemoryDriver", "memoryDriver"],
  "@layeron/modules/drivers/sqlite": ["SqliteDriver", "sqliteDriver"],
  "@layeron/modules/drivers/redis": ["RedisDriver", "redisDriver"],
  "@layeron/modules/drivers/cloudflare": ["CloudflareKVDriver", "cloudflareDriver"],
  "@layeron/modules/drivers/durable-objects": [
    "DEFAULT_SHARDS",
    "DurableObjectsDriver",
    "MAX_SHARDS",
    "durableKVObject",
    "durableObjectsDriver",
  ],
}

for (const [entry, names] of Object.entries(ENTRIES)) {
  it(`${entry} exports ${names.join(", ")}`, async () => {
    const exported = Object.keys(await import(entry)).sort()
    assert.deepEqual(exported, [...names].sort())
  })
}
