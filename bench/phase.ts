// One timed phase of a storage benchmark: operations one at a time, each
// timed, until the plan's count or time budget runs out.
import { performance } from "node:perf_hooks"
import { percentile } from "./stats.ts"

export interface Phase {
  opsPerSecond: number
  p50: number
  p99: number
}

export interface Plan {
  rounds: number
  /** Each phase stops after this many operations... */
  maxOps: number
  /** ...or this many milliseconds, whichever comes first (a put that waits for fsync is slow). */
  budgetMs: number
}

/** Runs `run` over `keys`, one at a time, within the plan's limits: its rate and latencies. */
export async function phase(
  plan: Plan,
  keys: readonly string[],
  run: (key: string) => unknown,
): Promise<Phase & { done: number }> {
  const times = new Float64Array(Math.min(plan.maxOps, keys.length))
  const start = performance.now()
  let done = 0
  while (done < times.length) {
    const key = keys[done] as string
    const before = performance.now()
    const result = run(key)
    if (result instanceof Promise) await result
    const after = performance.now()
    times[done++] = after - before
    if (after - start > plan.budgetMs) break
  }
  const elapsed = performance.now() - start
  const measured = times.subarray(0, done).sort()
  return {
    opsPerSecond: (done / elapsed) * 1000,
    p50: percentile(measured, 0.5),
    p99: percentile(measured, 0.99),
    done,
  }
}
