// Chooses the Redis client for the storage.kv driver by measurement: GET
// latency and throughput of ioredis and node-redis against one local
// redis-server, then how each behaves when the server dies, hangs and returns.
//   node --import tsx bench/redis-clients.ts
import { performance } from "node:perf_hooks"
import { RedisServer } from "@layeron/test-support/redis-server"
import { Redis } from "ioredis"
import { createClient, RESP_TYPES } from "redis"

interface Client {
  name: string
  get(key: string): Promise<Buffer | null>
  set(key: string, value: Buffer): Promise<unknown>
  close(): Promise<void>
}

const SEQUENTIAL = 20_000
const PARALLEL_TOTAL = 200_000
const IN_FLIGHT = 100
const KEY = "layeron:kv:{auth/user-sessions/session:3f1c}"
const VALUE = Buffer.alloc(220, 7)

async function ioredisClient(port: number): Promise<Client> {
  const redis = new Redis({
    host: "127.0.0.1",
    port,
    enableOfflineQueue: false,
    commandTimeout: 1000,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 50, 500),
    lazyConnect: true,
  })
  redis.on("error", () => undefined)
  await redis.connect()
  return {
    name: "ioredis",
    get: (key) => redis.getBuffer(key),
    set: (key, value) => redis.set(key, value),
    close: async () => {
      redis.disconnect()
    },
  }
}

async function nodeRedisClient(port: number): Promise<Client> {
  const client = createClient({
    url: `redis://127.0.0.1:${port}`,
    disableOfflineQueue: true,
    commandOptions: { timeout: 1000 },
    socket: { connectTimeout: 1000, reconnectStrategy: (retries: number) => Math.min(retries * 50, 500) },
  })
  client.on("error", () => undefined)
  await client.connect()
  // withTypeMapping() would replace the default options, timeout included.
  const buffers = client.withCommandOptions({ typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer }, timeout: 1000 })
  return {
    name: "node-redis",
    get: (key) => buffers.get(key) as Promise<Buffer | null>,
    set: (key, value) => client.set(key, value),
    close: async () => {
      client.destroy()
    },
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN
}

async function latency(client: Client): Promise<string> {
  const times: number[] = []
  for (let index = 0; index < SEQUENTIAL; index++) {
    const start = performance.now()
    await client.get(KEY)
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  const mean = times.reduce((sum, time) => sum + time, 0) / times.length
  return `mean ${(mean * 1000).toFixed(0)} us, p50 ${(percentile(times, 0.5) * 1000).toFixed(0)} us, p99 ${(percentile(times, 0.99) * 1000).toFixed(0)} us`
}

async function throughput(client: Client): Promise<string> {
  let next = 0
  const start = performance.now()
  const worker = async () => {
    while (next++ < PARALLEL_TOTAL) await client.get(KEY)
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const seconds = (performance.now() - start) / 1000
  return `${Math.round(PARALLEL_TOTAL / seconds)} GET/s with ${IN_FLIGHT} in flight`
}

/** How long one GET takes to settle, and how. */
async function attempt(client: Client): Promise<string> {
  const start = performance.now()
  try {
    await client.get(KEY)
    return `ok after ${(performance.now() - start).toFixed(0)} ms`
  } catch (error) {
    return `rejected after ${(performance.now() - start).toFixed(0)} ms: ${(error as Error).message.slice(0, 60)}`
  }
}

async function untilOk(client: Client): Promise<string> {
  const start = performance.now()
  for (;;) {
    try {
      await client.get(KEY)
      return `first success ${(performance.now() - start).toFixed(0)} ms after the restart`
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}

async function faults(server: RedisServer, open: (port: number) => Promise<Client>): Promise<void> {
  const client = await open(server.port)
  await client.set(KEY, VALUE)
  await server.kill()
  console.log(`  killed: ${await attempt(client)}; again: ${await attempt(client)}`)
  await server.start()
  console.log(`  restarted: ${await untilOk(client)}`)
  process.kill(server.pid as number, "SIGSTOP")
  console.log(`  hung (SIGSTOP): ${await attempt(client)}`)
  process.kill(server.pid as number, "SIGCONT")
  console.log(`  resumed: ${await untilOk(client)}`)
  await client.close()
}

const unhandled: unknown[] = []
process.on("unhandledRejection", (reason) => unhandled.push(reason))

const server = await new RedisServer().start()
try {
  // Alternated rounds: the machine is shared, so one round alone says little.
  for (const open of [ioredisClient, nodeRedisClient, ioredisClient, nodeRedisClient, ioredisClient, nodeRedisClient]) {
    const client = await open(server.port)
    await client.set(KEY, VALUE)
    for (let index = 0; index < 2000; index++) await client.get(KEY)
    console.log(`${client.name}: ${await latency(client)}; ${await throughput(client)}`)
    await client.close()
  }
  for (const open of [ioredisClient, nodeRedisClient]) {
    console.log(`${open === ioredisClient ? "ioredis" : "node-redis"} faults:`)
    await faults(server, open)
  }
  console.log(`unhandled rejections: ${unhandled.length}`)
} finally {
  await server.dispose()
}
