// What bounding a Redis command costs: GETs on two ioredis clients of one
// throwaway redis-server, 32 in flight (a loaded server), in alternating
// rounds: no timeout at all, and ioredis's commandTimeout as the driver sets
// it (a timer armed and cleared per command). Prints the median CPU time per
// GET of each.
//   node --import tsx bench/redis-timeouts.ts
import { Redis } from "ioredis"
import { startBenchRedis } from "./redis.ts"
import { median } from "./stats.ts"

const IN_FLIGHT = 32
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
const cpu = new Map<string, number[]>(variants.map(([name]) => [name, []]))
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, get] of round % 2 === 0 ? variants : [...variants].reverse()) {
      const before = process.cpuUsage()
      let next = 0
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next++ < PER_ROUND) await get()
        }),
      )
      const used = process.cpuUsage(before)
      cpu.get(name)?.push((used.user + used.system) / PER_ROUND)
    }
  }
  const baseline = median(cpu.get("no timeout") ?? [])
  for (const [name, samples] of cpu) {
    const perGet = median(samples)
    console.log(`${name.padEnd(28)} ${perGet.toFixed(2)} us CPU per GET (${(perGet / baseline).toFixed(2)}x)`)
  }
} finally {
  for (const redis of [plain, timed]) redis.disconnect()
  await server.dispose()
}
