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
  const ratios: Record<string, number[]> = { increment: [], add: [], getAndDelete: [] }
  const micros: Record<string, number[]> = {}
  for (let round = 0; round < rounds; round++) {
    const perOp: Record<string, number>[] = []
    for (let step = 0; step < clients.length; step++) {
      const index = (step + round) % clients.length
      const client = clients[index] as AtomicClient
      const tokens = Array.from({ length: plan.maxOps }, (_, i) => `token:${round}:${index}:${i}`)
      // CPU time per operation (user + system): steadier than wall time on a shared machine.
      const cpu = async (keys: string[], limit: number, run: (key: string) => unknown) => {
        const before = process.cpuUsage()
        const result = await phase({ ...plan, maxOps: limit }, keys, run)
        const used = process.cpuUsage(before)
        return { done: result.done, micros: (used.user + used.system) / result.done }
      }
      const increment = await cpu(counters, plan.maxOps, (key) => client.increment(key))
      const add = await cpu(tokens, plan.maxOps, (key) => client.add(key))
      const take = await cpu(tokens, add.done, (key) => client.getAndDelete(key))
      perOp[index] = { increment: increment.micros, add: add.micros, getAndDelete: take.micros }
    }
    for (const op of Object.keys(ratios)) {
      for (const [index, values] of perOp.entries()) {
        const name = `${op} ${(clients[index] as AtomicClient).kind}`
        micros[name] ??= []
        micros[name].push(values[op] as number)
      }
      if (!profiling)
        ratios[op]?.push(
          ((perOp[1] as Record<string, number>)[op] as number) / ((perOp[0] as Record<string, number>)[op] as number),
        )
    }
  }
  for (const [name, values] of Object.entries(micros))
    console.log(`${backend} ${name}: ${median(values).toFixed(2)} µs CPU/op`)
  if (!profiling)
    for (const [op, values] of Object.entries(ratios))
      console.log(`${backend} ${op}: ${median(values).toFixed(2)}x raw (median of ${rounds} rounds)`)
  for (const client of all) await client.close()
} finally {
  await redis?.dispose()
  rmSync(dir, { recursive: true, force: true })
}
