// Scale on SQLite: a session read (store.get) at 10k, 1M and 10M live
// sessions, p50 and p99; the sizes alternate over the rounds.
import { statSync } from "node:fs"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { kv } from "@layeron/modules"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import type { RunContext, Section, Target } from "./report.ts"
import { fillSessions, sessionKey } from "./sqlite-fill.ts"
import { bytes, count, median, micros, percentile, ratio, table } from "./stats.ts"

const DAY_MS = 86_400_000

export async function scaleSection(context: RunContext): Promise<Section> {
  const sizes = context.quick ? [10_000, 1_000_000] : [10_000, 1_000_000, 10_000_000]
  const rounds = context.quick ? 3 : 5
  const reads = context.quick ? 20_000 : 100_000
  const now = Date.now()
  const files = sizes.map((size) => {
    const path = join(context.dir, `scale-${size}.db`)
    const start = performance.now()
    fillSessions(path, size, (index) => now + DAY_MS + index)
    context.log(`scale: ${count(size)} sessions written in ${((performance.now() - start) / 1000).toFixed(1)} s`)
    return { size, path, buildSeconds: (performance.now() - start) / 1000, fileBytes: statSync(path).size }
  })
  const stores = files.map(({ path }) => {
    const driver = sqliteDriver({ path })
    return { driver, store: kv({ name: "user-sessions", namespace: "auth", driver }) }
  })
  const samples = sizes.map(() => ({ p50: [] as number[], p99: [] as number[], ops: [] as number[] }))
  try {
    for (let round = -1; round < rounds; round++) {
      for (let step = 0; step < sizes.length; step++) {
        const index = (step + Math.max(round, 0)) % sizes.length
        const size = sizes[index] as number
        const { store } = stores[index] as (typeof stores)[number]
        // Random sessions, as requests bring them: at 10M most reads miss SQLite's page cache.
        let seed = 987654321 + round
        const times = new Float64Array(round === -1 ? 5000 : reads)
        const start = performance.now()
        for (let read = 0; read < times.length; read++) {
          seed = (seed * 1103515245 + 12345) % 2147483648
          const key = sessionKey(seed % size)
          const before = performance.now()
          const handle = await store.get(key)
          times[read] = performance.now() - before
          if (handle === null) throw new Error(`scale: ${key} missing at ${size}`)
        }
        if (round === -1) continue // warm-up
        const elapsed = performance.now() - start
        times.sort()
        const sample = samples[index] as (typeof samples)[number]
        sample.p50.push(percentile(times, 0.5))
        sample.p99.push(percentile(times, 0.99))
        sample.ops.push((times.length / elapsed) * 1000)
      }
      if (round >= 0) context.log(`scale: round ${round + 1}/${rounds} done`)
    }
  } finally {
    for (const { store, driver } of stores) {
      await store.close()
      driver.close()
    }
  }
  const baseP99 = median(samples[0]?.p99 ?? [])
  const rows = files.map((file, index) => {
    const sample = samples[index] as (typeof samples)[number]
    return [
      count(file.size),
      bytes(file.fileBytes),
      `${file.buildSeconds.toFixed(1)} s`,
      count(median(sample.ops)),
      micros(median(sample.p50)),
      micros(median(sample.p99)),
      ratio(median(sample.p99) / baseP99),
    ]
  })
  const targets: Target[] = []
  const largest = sizes.length - 1
  const largestRatio = median(samples[largest]?.p99 ?? []) / baseP99
  targets.push({
    goal: `p99 get at ${count(sizes[largest] as number)} sessions within 2x of p99 at 10,000`,
    measured: ratio(largestRatio),
    met: largestRatio <= 2,
  })
  const body = [
    `store.get() of random live sessions through Layeron's sqlite driver (one connection, the driver's defaults), ` +
      `${count(reads)} reads per size per round, ${rounds} rounds alternating the sizes after a warm-up; medians over the rounds. ` +
      "Each file is built with one transaction of prepared inserts into the driver's layeron_kv table, in key order " +
      "(then the driver's expiry index); it is still in the OS page cache when read, as a live server's hot file would be.",
    "",
    table(["sessions", "file", "built in", "gets/s", "p50", "p99", "p99 / p99 at 10k"], rows),
  ].join("\n")
  return { title: "Scale: SQLite with many live sessions", body, targets }
}
