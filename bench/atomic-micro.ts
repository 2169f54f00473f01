// The atomic operations of a strong store on one backend against the raw
// client, alternated in short rounds, as µs per operation: a quick check of
// one change to the store's hot paths (storage-atomic.ts is the full table).
//   node --import tsx bench/atomic-micro.ts [sqlite|redis|memory] [rounds]
// With --cpu-prof, only the store runs, so the profile shows its paths alone.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { phase } from "./phase.ts"
import { startBenchRedis } from "./redis.ts"
import { median } from "./stats.ts"
import { type AtomicClient, clientsFor } from "./storage-atomic.ts"
import type { BackendName } from "./storage-clients.ts"

const backend = (process.argv[2] ?? "sqlite") as BackendName
const rounds = Number(process.argv[3] ?? 7)
const profiling = process.execArgv.some((arg) => arg.startsWith("--cpu-prof"))
const dir = mkdtempSync(join(tmpdir(), "layeron-atomic-"))
const redis = backend === "redis" ? await startBenchRedis() : undefined
const plan = { rounds, maxOps: 20_000, budgetMs: 300 }
try {
  const all = await clientsFor(backend, dir, redis?.url ?? "")
  const clients = profiling ? all.slice(1) : all
  const counters = Array.from({ length: plan.maxOps }, (_, index) => `rate:${index % 100}`)
  // Per operation and client: wall µs and CPU µs (user + system, steadier on a shared machine) per round.
  const samples: Record<string, { wall: number[]; cpu: number[] }> = {}
  const ratios: Record<string, { wall: number[]; cpu: number[] }> = {}
  const measure = async (keys: string[], limit: number, run: (key: string) => unknown) => {
    const before = process.cpuUsage()
    const result = await phase({ ...plan, maxOps: limit }, keys, run)
    const used = process.cpuUsage(before)
    return { done: result.done, wall: 1e6 / result.opsPerSecond, cpu: (used.user + used.system) / result.done }
  }
  for (let round = 0; round < rounds; round++) {
    const perOp: Record<string, { wall: number; cpu: number }>[] = []
    for (let step = 0; step < clients.length; step++) {
      const index = (step + round) % clients.length
      const client = clients[index] as AtomicClient
      const tokens = Array.from({ length: plan.maxOps }, (_, i) => `token:${round}:${index}:${i}`)
      const increment = await measure(counters, plan.maxOps, (key) => client.increment(key))
      const add = await measure(tokens, plan.maxOps, (key) => client.add(key))
      const getAndDelete = await measure(tokens, add.done, (key) => client.getAndDelete(key))
      perOp[index] = { increment, add, getAndDelete }
    }
    for (const op of ["increment", "add", "getAndDelete"]) {
      for (const [index, values] of perOp.entries()) {
        // On Redis a third client runs the bare INCR (no expiry), beside the raw limit and Layeron.
        const name = `${op} ${index === 2 ? "bare INCR client" : (clients[index] as AtomicClient).kind}`
        samples[name] ??= { wall: [], cpu: [] }
        const sample = samples[name]
        sample.wall.push((values[op] as { wall: number }).wall)
        sample.cpu.push((values[op] as { cpu: number }).cpu)
      }
      if (profiling) continue
      const [raw, layeron] = [perOp[0]?.[op], perOp[1]?.[op]] as { wall: number; cpu: number }[]
      ratios[op] ??= { wall: [], cpu: [] }
      const ratio = ratios[op]
      ratio.wall.push((layeron as { wall: number }).wall / (raw as { wall: number }).wall)
      ratio.cpu.push((layeron as { cpu: number }).cpu / (raw as { cpu: number }).cpu)
    }
  }
  for (const [name, { wall, cpu }] of Object.entries(samples))
    console.log(`${backend} ${name}: ${median(wall).toFixed(2)} µs/op, ${median(cpu).toFixed(2)} µs CPU/op`)
  for (const [op, { wall, cpu }] of Object.entries(ratios))
    console.log(
      `${backend} ${op}: ${median(wall).toFixed(2)}x raw (wall), ${median(cpu).toFixed(2)}x (CPU), median of ${rounds} rounds`,
    )
  for (const client of all) await client.close()
} finally {
  await redis?.dispose()
  rmSync(dir, { recursive: true, force: true })
}
