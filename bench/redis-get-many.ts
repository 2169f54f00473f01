// How long a getMany of N keys takes on a healthy standalone Redis and a
// three-master Redis Cluster, through the Redis driver (batches of 250, each
// under its own 800 ms deadline), against the way it read a cluster before:
// one GET per key, all at once, under one deadline. It set
// KV_LIMITS.maxGetManyKeys to 1000: on a busy 2-core machine (load 6-7) the
// slowest 1000-key call on the cluster took 45-190 ms across four runs, a
// 5000-key one up to 280-360 ms. Rounds alternate the variants; prints min / median / max.
//   node --import tsx bench/redis-get-many.ts
import { performance } from "node:perf_hooks"
import { type RedisDriver, redisDriver } from "@layeron/modules/drivers/redis"
import { startCluster, startRedis } from "@layeron/test-support/redis-server"
import { Cluster } from "ioredis"
import { toRedisKey } from "../packages/modules/src/kv/drivers/redis/keys.ts"

const SIZES = [1000, 5000, 10_000, 20_000, 50_000]
const ROUNDS = 7
const VALUE = "x".repeat(200)

const storeKeys = Array.from({ length: Math.max(...SIZES) }, (_, index) => `bench/many/session:${index}`)

async function fill(driver: RedisDriver): Promise<void> {
  const entry = { value: new TextEncoder().encode(VALUE), contentType: "text/plain", metadata: null, expiresAt: null }
  for (let start = 0; start < storeKeys.length; start += 1000) {
    await Promise.all(storeKeys.slice(start, start + 1000).map((key) => driver.put(key, entry)))
  }
}

/** min / median / max ms of each variant, over ROUNDS rounds that alternate the variants (a busy machine slows all alike). */
async function timings(variants: (() => Promise<unknown>)[]): Promise<string[]> {
  const times: number[][] = variants.map(() => [])
  const failed = variants.map(() => 0)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, read] of variants.entries()) {
      const start = performance.now()
      await read().catch(() => {
        failed[index] = (failed[index] ?? 0) + 1
      })
      times[index]?.push(performance.now() - start)
    }
  }
  return times.map((list, index) => {
    list.sort((a, b) => a - b)
    const at = (position: number) => (list[position] as number).toFixed(0)
    const failures = failed[index] ? `, ${failed[index]} failed` : ""
    return `${at(0)} / ${at(Math.floor(ROUNDS / 2))} / ${at(ROUNDS - 1)} ms${failures}`
  })
}

const server = await startRedis()
const cluster = await startCluster(3)
const standalone = await redisDriver({ url: server.url })
const clustered = await redisDriver({ url: cluster.url })
const raw = new Cluster(cluster.nodes.map((node) => ({ host: "127.0.0.1", port: node.port })))
await new Promise((resolve) => raw.once("ready", resolve))
try {
  await fill(standalone)
  await fill(clustered)
  console.log("| keys | standalone (driver) | cluster (driver) | cluster, one GET per key at once (before) |")
  console.log("| ---: | --- | --- | --- |")
  for (const size of SIZES) {
    const keys = storeKeys.slice(0, size)
    const redisKeys = keys.map(toRedisKey)
    const row = await timings([
      () => standalone.getMany(keys),
      () => clustered.getMany(keys),
      () => Promise.all(redisKeys.map((key) => raw.getBuffer(key))),
    ])
    console.log(`| ${size} | ${row.join(" | ")} |`)
  }
} finally {
  raw.disconnect()
  await standalone.close()
  await clustered.close()
  await server.dispose()
  await cluster.dispose()
}
