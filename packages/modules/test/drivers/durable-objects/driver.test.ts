// The durable-objects driver beyond the conformance suite: the shard count
// and its refusal, failures as KV_UNAVAILABLE, sweeping by alarm, large
// values in chunks and in getMany, and concurrent increments from many
// requests. The driver runs in workerd (support/objects.ts).
import assert from "node:assert/strict"
import { after, before, test } from "node:test"
import { isKVError, type StoredEntry } from "@layeron/modules"
import { DEFAULT_SHARDS } from "@layeron/modules/drivers/durable-objects"
import { shardOf } from "../../../src/kv/drivers/durable-objects/shards.ts"
import { type Objects, startObjects } from "./support/objects.ts"

let objects: Objects

before(async () => {
  objects = await startObjects({
    bindings: ["SHARDS", "EMPTY", "SWEEP", "LARGE", "COUNT"],
    extraClasses: `export class Broken extends DurableObject {
  kvShards() { throw new Error("the object failed") }
}`,
    extraObjects: { BROKEN: "Broken" },
  })
})

after(() => objects.mf.dispose())

const encoder = new TextEncoder()

function entry(value: string | Uint8Array, overrides: Partial<StoredEntry> = {}): StoredEntry {
  return {
    value: typeof value === "string" ? encoder.encode(value) : value,
    contentType: "text/plain;charset=UTF-8",
    metadata: null,
    expiresAt: null,
    version: "v1",
    ...overrides,
  }
}

test("the hash of a key never changes: stored data depends on it", () => {
  // Pinned: a different hash would look for every existing key in the wrong object.
  // FNV-1a of "a" is 0xe40c292c, 300 modulo 1024.
  assert.deepEqual(
    ["a", "b", "session:abc", "日本", "😀"].map((key) => shardOf(key, 1024)),
    [300, 485, 601, 593, 520],
  )
  assert.equal(shardOf("anything", 1), 0)
  const counts = new Array(DEFAULT_SHARDS).fill(0)
  for (let index = 0; index < 8000; index++) counts[shardOf(`session:${index}`, DEFAULT_SHARDS)]++
  for (const count of counts) assert.ok(count > 800 && count < 1200, `keys spread evenly: ${counts}`)
})

test("refuses another shard count once the store holds data, naming both", async () => {
  const eight = objects.driver("SHARDS")
  await eight.put("k", entry("v"))
  const four = objects.driver("SHARDS", { shards: 4 })
  await assert.rejects(four.get("k"), (error: unknown) => {
    assert.ok(isKVError(error))
    assert.equal(error.code, "KV_CONFIG_INVALID")
    assert.match(error.message, /shards: 4, but the store holds data written with shards: 8/)
    return true
  })
  assert.equal(new TextDecoder().decode((await eight.get("k"))?.value), "v", "the data is untouched")
})

test("takes another shard count while the store holds nothing", async () => {
  const four = objects.driver("EMPTY", { shards: 4 })
  assert.equal(await four.get("k"), null)
  const two = objects.driver("EMPTY", { shards: 2 })
  await two.put("k", entry("v"))
  assert.ok(await two.get("k"))
  await assert.rejects(objects.driver("EMPTY", { shards: 4, instance: "again" }).get("k"), /shards: 2/)
})

test("an object that fails is KV_UNAVAILABLE (a 503), naming the store's shard", async () => {
  await assert.rejects(objects.driver("BROKEN").get("k"), (error: unknown) => {
    assert.ok(isKVError(error))
    assert.equal(error.code, "KV_UNAVAILABLE")
    assert.equal(error.status, 503)
    assert.match(error.message, /unavailable \(open on shard:0\): .*the object failed/)
    return true
  })
})

test("an alarm sweeps expired entries out of storage, and leaves live ones", async () => {
  const driver = objects.driver("SWEEP", { shards: 1 })
  const now = Date.now()
  await driver.put("live", entry("v", { expiresAt: now + 3_600_000 }))
  await driver.put("plain", entry("v"))
  // Past already (the store never writes such an entry; here it makes the alarm due at once),
  // and in chunks. One only: a shard sweeps at most once a minute.
  await driver.put("dead", entry(new Uint8Array(1024 * 1024 + 1), { expiresAt: now - 1000 }))
  const deadline = Date.now() + 20_000
  while ((await driver.get("dead")) !== null) {
    assert.ok(Date.now() < deadline, "the alarm removed the expired entries within 20 s")
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.ok(await driver.get("live"))
  assert.ok(await driver.get("plain"))
})

test("values over the 2 MB row limit are kept in chunks; a large getMany comes back whole", async () => {
  const driver = objects.driver("LARGE", { shards: 1 })
  const values = Array.from({ length: 10 }, (_, index) => {
    const value = new Uint8Array(1536 * 1024 + index)
    for (let at = 0; at < value.length; at += 4096) value[at] = (at / 4096 + index) % 256
    return value
  })
  await Promise.all(values.map((value, index) => driver.put(`big-${index}`, entry(value))))
  const whole = new Uint8Array(25 * 1024 * 1024)
  whole[whole.length - 1] = 7
  await driver.put("whole", entry(whole))
  assert.deepEqual((await driver.get("whole"))?.value, whole)
  // 15 MiB in one call: the object answers about 8 MiB and the driver asks again for the rest.
  const found = await driver.getMany([...values.map((_, index) => `big-${index}`), "missing"])
  assert.equal(found.length, 11)
  for (const [index, value] of values.entries()) assert.deepEqual(found[index]?.value, value, `big-${index}`)
  assert.equal(found[10], null)
  await driver.put("whole", entry("small now"))
  assert.equal(new TextDecoder().decode((await driver.get("whole"))?.value), "small now", "old chunks are gone")
})

test("increments from many concurrent requests count exactly, across shards", async () => {
  const driver = objects.driver("COUNT")
  const keys = ["a", "b", "c", "d"]
  const created = entry("1")
  const results = await Promise.all(
    Array.from({ length: 400 }, (_, index) => driver.increment(keys[index % 4] as string, 1, created, Date.now())),
  )
  for (const key of keys) {
    assert.equal(new TextDecoder().decode((await driver.get(key))?.value), "100", key)
  }
  // Every count from 1 to 100 was handed out once per key.
  assert.deepEqual(
    [...results].sort((a, b) => Number(a) - Number(b)),
    Array.from({ length: 100 }, (_, index) => Array(4).fill(index + 1)).flat(),
  )
})
