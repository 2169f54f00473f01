// What storage.kv adds on top of Redis: a session read through the store
// (KVStore.get + the Redis driver + handle.json) against the raw client's GET
// of the same bytes, one at a time and 100 in flight, without and with the
// read cache (?cache=on); and what an ordered list() page costs against the
// SCAN it is built on.
//   node --import tsx bench/redis-driver.ts [--list]
import { performance } from "node:perf_hooks"
import { kv } from "@layeron/modules"
import { redisDriver } from "@layeron/modules/drivers/redis"
import { RedisServer } from "@layeron/test-support/redis-server"
import { Redis } from "ioredis"
import { toRedisKey } from "../packages/modules/src/kv/drivers/redis/keys.ts"

const SEQUENTIAL = 20_000
const PARALLEL_TOTAL = 100_000
const IN_FLIGHT = 100
const ROUNDS = 3

const session = JSON.stringify({
  userId: "usr_100",
  email: "ada@example.com",
  roles: ["admin"],
  createdAt: new Date().toISOString(),
})

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN
}

async function measure(name: string, read: () => Promise<unknown>): Promise<string> {
  for (let index = 0; index < 2000; index++) await read()
  const times: number[] = []
  for (let index = 0; index < SEQUENTIAL; index++) {
    const start = performance.now()
    await read()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  let next = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < PARALLEL_TOTAL) await read()
    }),
  )
  const perSecond = PARALLEL_TOTAL / ((performance.now() - start) / 1000)
  const us = (ms: number) => `${(ms * 1000).toFixed(0)} us`
  return `${name.padEnd(26)} p50 ${us(percentile(times, 0.5))}, p99 ${us(percentile(times, 0.99))}; ${Math.round(perSecond)} reads/s (${IN_FLIGHT} in flight)`
}

async function reads(server: RedisServer): Promise<void> {
  const raw = new Redis({ port: server.port, host: "127.0.0.1", enableOfflineQueue: false, commandTimeout: 800 })
  const driver = await redisDriver({ url: server.url })
  const store = kv({ name: "user-sessions", namespace: "auth", driver, ttlSeconds: 86_400 })
  await store.put("session:bench", session, { contentType: "application/json" })
  const cachedDriver = await redisDriver({ url: `${server.url}?cache=on` })
  const cached = kv({ name: "user-sessions", namespace: "auth", driver: cachedDriver })
  const redisKey = toRedisKey("auth/user-sessions/session:bench")
  await raw.set("raw:session", session)
  console.log(`value: ${session.length} bytes of JSON`)
  for (let round = 0; round < ROUNDS; round++) {
    console.log(await measure("raw GET (ioredis)", () => raw.getBuffer("raw:session")))
    console.log(await measure("raw GET of packed entry", () => raw.getBuffer(redisKey)))
    console.log(await measure("store.get", () => store.get("session:bench")))
    console.log(await measure("store.get + json()", async () => (await store.get("session:bench"))?.json()))
    console.log(await measure("cached store.get", () => cached.get("session:bench")))
    console.log(await measure("cached store.get + json()", async () => (await cached.get("session:bench"))?.json()))
  }
  const cache = cachedDriver.cache
  console.log(`cache: ${cache?.hits} hits, ${cache?.misses} misses`)
  raw.disconnect()
  await driver.close()
  await cachedDriver.close()
}

async function listing(server: RedisServer): Promise<void> {
  const raw = new Redis({ port: server.port, host: "127.0.0.1" })
  const driver = await redisDriver({ url: server.url })
  const store = kv({ name: "many", driver })
  for (const size of [10_000, 100_000]) {
    await raw.flushall()
    for (let start = 0; start < size; start += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, size - start) }, (_, index) => store.put(`key:${start + index}`, "v")),
      )
    }
    let time = performance.now()
    let cursor = "0"
    let scanned = 0
    do {
      const [next, keys] = await raw.scan(cursor, "MATCH", "layeron:kv:{default/many/*", "COUNT", 1000)
      scanned += keys.length
      cursor = next
    } while (cursor !== "0")
    const scanMs = performance.now() - time
    time = performance.now()
    const first = await store.list({ limit: 1000 })
    const pageMs = performance.now() - time
    time = performance.now()
    let pages = 1
    let page = first
    while (page.cursor && pages < 5) {
      page = await store.list({ limit: 1000, cursor: page.cursor })
      pages++
    }
    const nextMs = (performance.now() - time) / (pages - 1)
    console.log(
      `${size} keys: one raw SCAN pass ${scanMs.toFixed(0)} ms (${scanned} keys); ordered list() page of 1000: first ${pageMs.toFixed(0)} ms, next pages ${nextMs.toFixed(0)} ms each`,
    )
  }
  raw.disconnect()
  await driver.close()
}

const server = await new RedisServer().start()
try {
  if (process.argv.includes("--list")) await listing(server)
  else await reads(server)
} finally {
  await server.dispose()
}
