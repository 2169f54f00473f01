// What bounding a Redis command costs: GETs on two ioredis clients of one
// throwaway redis-server, in alternating rounds, one at a time (a request's
// own read) and 32 in flight (a loaded server): no timeout at all, and
// ioredis's commandTimeout as the driver sets it (a timer armed and cleared
// per command). Prints the median time per GET awaited alone, and the median
// CPU time per GET with 32 in flight, each against no timeout.
//   node --import tsx bench/redis-timeouts.ts
import { Redis } from "ioredis"
import { startBenchRedis } from "./redis.ts"
import { median } from "./stats.ts"

const PER_ROUND = 20_000
const ROUNDS = 8

const server = await startBenchRedis()
const { port, hostname } = new URL(server.url)
async function client(options: { commandTimeout?: number }): Promise<Redis> {
  const redis = new Redis({ host: hostname, port: Number(port), enableOfflineQueue: false, ...options })
  await new Promise((resolve) => redis.once("ready", resolve))
  return redis
}
const plain = await client({})
const timed = await client({ commandTimeout: 800 })
await plain.set("session", "x".repeat(120))

const variants: [string, () => Promise<unknown>][] = [
  ["no timeout", () => plain.getBuffer("session")],
  ["ioredis commandTimeout: 800", () => timed.getBuffer("session")],
]

/** Runs PER_ROUND GETs, `inFlight` at a time; returns [wall µs per GET, CPU µs per GET]. */
async function round(get: () => Promise<unknown>, inFlight: number): Promise<[number, number]> {
  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  let next = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < PER_ROUND) await get()
    }),
  )
  const cpu = process.cpuUsage(cpuBefore)
  return [((performance.now() - start) * 1000) / PER_ROUND, (cpu.user + cpu.system) / PER_ROUND]
}

const alone = new Map<string, number[]>(variants.map(([name]) => [name, []]))
const loaded = new Map<string, number[]>(variants.map(([name]) => [name, []]))
try {
  for (let index = 0; index < ROUNDS; index++) {
    for (const [name, get] of index % 2 === 0 ? variants : [...variants].reverse()) {
      alone.get(name)?.push((await round(get, 1))[0])
      loaded.get(name)?.push((await round(get, 32))[1])
    }
  }
  const baseAlone = median(alone.get("no timeout") ?? [])
  const baseLoaded = median(loaded.get("no timeout") ?? [])
  for (const [name] of variants) {
    const wall = median(alone.get(name) ?? [])
    const cpu = median(loaded.get(name) ?? [])
    console.log(
      `${name.padEnd(28)} alone ${wall.toFixed(1)} µs per GET (${(wall / baseAlone).toFixed(2)}x); ` +
        `32 in flight ${cpu.toFixed(1)} µs CPU per GET (${(cpu / baseLoaded).toFixed(2)}x)`,
    )
  }
} finally {
  for (const redis of [plain, timed]) redis.disconnect()
  await server.dispose()
}
