// The sweep: how long Layeron's sqlite driver takes to remove 1M expired
// sessions, and the longest the event loop stalls meanwhile. Two watchers run
// during the sweep: perf_hooks.monitorEventLoopDelay, and a chain of
// setImmediate callbacks timing every gap between two turns of the loop; the
// chain also reads live sessions, as an app serving requests would.
import { copyFileSync } from "node:fs"
import { join } from "node:path"
import { createHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import Database from "better-sqlite3"
import { SWEEP_SQL } from "../packages/modules/src/kv/drivers/sqlite/sql.ts"
import type { RunContext, Section, Target } from "./report.ts"
import { fillSessions, STORE_PREFIX, sessionKey } from "./sqlite-fill.ts"
import { count, micros, millis, table } from "./stats.ts"

const LIVE = 10_000
/** Reads of live sessions per turn of the event loop while a sweep runs. */
const READS_PER_TURN = 10

interface Stalls {
  longestGapMs: number
  histogramMaxMs: number
  histogramP99Ms: number
  readP99Ms: number
  slowestReadMs: number
}

function watchLoop(read: (index: number) => unknown): { stop(): Stalls } {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  let longest = 0
  let last = performance.now()
  let running = true
  // A histogram, not an array: growing an array of millions of times would itself stall the loop.
  const reads = createHistogram()
  let readCount = 0
  const tick = () => {
    if (!running) return
    const now = performance.now()
    longest = Math.max(longest, now - last)
    for (let index = 0; index < READS_PER_TURN; index++) {
      const before = performance.now()
      if (read(readCount++) === null) throw new Error("a live session was not found during the sweep")
      reads.record(Math.max(1, Math.round((performance.now() - before) * 1e6)))
    }
    last = performance.now()
    setImmediate(tick)
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
        readP99Ms: reads.percentile(99) / 1e6,
        slowestReadMs: reads.max / 1e6,
      }
    },
  }
}

/** The sweep as it first was, on the app's thread: fixed 500-row batches, yielding between them, SQLite's own checkpoints. */
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

async function measure(
  sweep: () => Promise<number>,
  read: (index: number) => unknown,
): Promise<{ removed: number; seconds: number; stalls: Stalls }> {
  const watcher = watchLoop(read)
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
  const liveKey = (index: number) => STORE_PREFIX + sessionKey(EXPIRED + (index % LIVE))
  const driver = sqliteDriver({ path, sweepIntervalMs: 3_600_000 })
  // A stall is the sweep's only if it stands out from what the loop sees with no sweep at all.
  const idle = await measure(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, context.quick ? 3000 : 10_000))
      return 0
    },
    (index) => driver.get(liveKey(index)),
  )
  const current = await measure(
    () => driver.sweep(),
    (index) => driver.get(liveKey(index)),
  )
  driver.close()
  const check = new Database(path, { readonly: true })
  const left = (check.prepare("SELECT count(*) AS n FROM layeron_kv").get() as { n: number }).n
  check.close()
  if (current.removed !== EXPIRED || left !== LIVE) throw new Error(`sweep removed ${current.removed}, left ${left}`)
  context.log(`sweep: driver done in ${current.seconds.toFixed(1)} s; the fixed-batch sweep for comparison`)
  const reader = sqliteDriver({ path: `${path}.before`, sweepIntervalMs: 3_600_000 })
  const before = await measure(
    () => fixedBatchSweep(`${path}.before`),
    (index) => reader.get(liveKey(index)),
  )
  reader.close()
  const row = (name: string, { removed, seconds, stalls }: Awaited<ReturnType<typeof measure>>) => [
    name,
    count(removed),
    `${seconds.toFixed(2)} s`,
    removed === 0 ? "-" : count(removed / seconds),
    millis(stalls.longestGapMs),
    millis(stalls.histogramMaxMs),
    millis(stalls.histogramP99Ms),
    micros(stalls.readP99Ms),
    millis(stalls.slowestReadMs),
  ]
  const rows = [
    row("no sweep: the same reads for as long, as a baseline of this machine's own noise", idle),
    row("the driver's sweep (a worker thread, batches of 100 rows)", current),
    row("before: on the event loop, batches of 500 rows, SQLite's own checkpoints", before),
  ]
  const stall = Math.max(current.stalls.longestGapMs, current.stalls.histogramMaxMs)
  const idleStall = Math.max(idle.stalls.longestGapMs, idle.stalls.histogramMaxMs)
  const targets: Target[] = [
    {
      goal: "no event-loop stall over 5 ms from the sweep",
      measured: `${millis(stall)} (${millis(idleStall)} with no sweep)`,
      met: stall <= 5,
    },
  ]
  const body = [
    `${count(EXPIRED)} expired and ${count(LIVE)} live sessions in one file, the expired ones in an order unrelated to ` +
      "their keys (as random tokens are), so each removal lands on a different page; driver.sweep() with the driver's " +
      'defaults. "longest gap" is the longest time between two turns of the event loop (a setImmediate chain ' +
      `that also reads ${READS_PER_TURN} live sessions per turn through a driver on the same file, as an app ` +
      'would); "monitorEventLoopDelay" is perf_hooks\' histogram at 1 ms resolution; "read p99" and "slowest ' +
      "read\" are those reads' times. The machine has two cores: the sweep thread, this thread and everything " +
      "else on the machine share them.",
    "",
    table(
      [
        "sweep",
        "removed",
        "took",
        "rows/s",
        "longest gap",
        "monitorEventLoopDelay max",
        "its p99",
        "read p99",
        "slowest read",
      ],
      rows,
    ),
  ].join("\n")
  return { title: `Sweep: ${count(EXPIRED)} expired sessions`, body, targets }
}
