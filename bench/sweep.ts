// The sweep: how long Layeron's sqlite driver takes to remove 1M expired
// sessions, and the longest the event loop stalls meanwhile. Two watchers run
// during the sweep: perf_hooks.monitorEventLoopDelay, and a chain of
// setImmediate callbacks timing every gap between two turns of the loop.
import { copyFileSync } from "node:fs"
import { join } from "node:path"
import { monitorEventLoopDelay, performance } from "node:perf_hooks"
import { SWEEP_SQL, sqliteDriver } from "@layeron/modules/drivers/sqlite"
import Database from "better-sqlite3"
import type { RunContext, Section, Target } from "./report.ts"
import { fillSessions } from "./sqlite-fill.ts"
import { count, millis, table } from "./stats.ts"

const LIVE = 10_000

interface Stalls {
  longestGapMs: number
  histogramMaxMs: number
  histogramP99Ms: number
}

function watchLoop(): { stop(): Stalls } {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  let longest = 0
  let last = performance.now()
  let running = true
  const tick = () => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
    if (running) setImmediate(tick)
  }
  setImmediate(tick)
  return {
    stop() {
      running = false
      histogram.disable()
      return {
        longestGapMs: longest,
        histogramMaxMs: histogram.max / 1e6,
        histogramP99Ms: histogram.percentile(99) / 1e6,
      }
    },
  }
}

/** The sweep as it was before it followed a time budget: fixed 500-row batches, SQLite's own checkpoints. */
async function fixedBatchSweep(path: string): Promise<number> {
  const db = new Database(path)
  db.pragma("synchronous = NORMAL")
  const statement = db.prepare(SWEEP_SQL)
  let removed = 0
  for (;;) {
    const { changes } = statement.run(Date.now(), 500)
    removed += changes
    if (changes < 500) break
    await new Promise((resolve) => setImmediate(resolve))
  }
  db.close()
  return removed
}

async function measure(sweep: () => Promise<number>): Promise<{ removed: number; seconds: number; stalls: Stalls }> {
  const watcher = watchLoop()
  const start = performance.now()
  const removed = await sweep()
  const seconds = (performance.now() - start) / 1000
  return { removed, seconds, stalls: watcher.stop() }
}

export async function sweepSection(context: RunContext): Promise<Section> {
  const EXPIRED = context.quick ? 50_000 : 1_000_000
  const path = join(context.dir, "sweep.db")
  const now = Date.now()
  const start = performance.now()
  // Sessions that expired over the last hour, in an order unrelated to their keys (random tokens), then live ones.
  const expiredAt = (index: number) => now - 3_600_000 + ((Math.imul(index, 2654435761) >>> 0) % 3_600_000)
  fillSessions(path, EXPIRED + LIVE, (index) => (index < EXPIRED ? expiredAt(index) : now + 86_400_000))
  context.log(
    `sweep: ${count(EXPIRED + LIVE)} sessions written in ${((performance.now() - start) / 1000).toFixed(1)} s`,
  )
  copyFileSync(path, `${path}.before`)
  const driver = sqliteDriver({ path, sweepIntervalMs: 3_600_000 })
  const current = await measure(() => driver.sweep())
  driver.close()
  const check = new Database(path, { readonly: true })
  const left = (check.prepare("SELECT count(*) AS n FROM layeron_kv").get() as { n: number }).n
  check.close()
  if (current.removed !== EXPIRED || left !== LIVE) throw new Error(`sweep removed ${current.removed}, left ${left}`)
  context.log(`sweep: driver done in ${current.seconds.toFixed(1)} s; the fixed-batch sweep for comparison`)
  const before = await measure(() => fixedBatchSweep(`${path}.before`))
  const row = (name: string, { removed, seconds, stalls }: Awaited<ReturnType<typeof measure>>) => [
    name,
    count(removed),
    `${seconds.toFixed(2)} s`,
    count(removed / seconds),
    millis(stalls.longestGapMs),
    millis(stalls.histogramMaxMs),
    millis(stalls.histogramP99Ms),
  ]
  const rows = [
    row("the driver's sweep (steps of about 2 ms, checkpointing as it goes)", current),
    row("before: fixed batches of 500 rows, SQLite's own checkpoints", before),
  ]
  const stall = Math.max(current.stalls.longestGapMs, current.stalls.histogramMaxMs)
  const targets: Target[] = [
    { goal: "no event-loop stall over 5 ms from the sweep", measured: millis(stall), met: stall <= 5 },
  ]
  const body = [
    `${count(EXPIRED)} expired and ${count(LIVE)} live sessions in one file, the expired ones in an order unrelated to ` +
      "their keys (as random tokens are), so each removal lands on a different page; driver.sweep() with the driver's defaults " +
      '(batches through the expiry index, yielding to the event loop between them). "longest gap" is the ' +
      'longest time between two turns of the event loop (a setImmediate chain); "monitorEventLoopDelay" is ' +
      "perf_hooks' histogram at 1 ms resolution.",
    "",
    table(["sweep", "removed", "took", "rows/s", "longest gap", "monitorEventLoopDelay max", "its p99"], rows),
  ].join("\n")
  return { title: `Sweep: ${count(EXPIRED)} expired sessions`, body, targets }
}
