import { putOptions } from "./check-entry.js"
import type { Entry } from "./entry.js"
import { KV_MIN_NON_PORTABLE_TTL_SECONDS, KV_MIN_TTL_SECONDS } from "./limits.js"
import { retrying } from "./retry.js"
import type { KVStoreLike } from "./store-api.js"

/**
 * The earliest expiry an entry may have to be written now: the store's
 * shortest TTL, plus a second so that the check and the write agree.
 */
export function soonestExpiry(store: KVStoreLike, now: number): number {
  return now + ((store.portable ? KV_MIN_TTL_SECONDS : KV_MIN_NON_PORTABLE_TTL_SECONDS) + 1) * 1000
}

/**
 * Writes waiting at once. Enough to pipeline a networked backend; more only
 * queues them in its client, where a Redis command's own deadline (800 ms)
 * starts counting: a whole page of 1000 at once timed out on a busy machine.
 */
const IN_FLIGHT = 64

export interface WriteCounts {
  written: number
  /** Expired, or expiring sooner than the store accepts a TTL: never written, so no entry lives longer than it did. */
  skipped: number
}

/**
 * Writes a batch of entries with their content type, metadata and absolute
 * expiry, all at once (one round trip's worth of waiting on a networked
 * backend), a few dozen at a time. Settles every write of a slice before
 * reporting, and writes no further slice after a failure: the error says
 * which entry failed and `counts` says exactly how many were written.
 */
export async function writeBatch(
  store: KVStoreLike,
  entries: readonly Entry[],
  now: number,
  counts: WriteCounts,
): Promise<{ failed: number; error: unknown } | null> {
  const soonest = soonestExpiry(store, now)
  for (let start = 0; start < entries.length; start += IN_FLIGHT) {
    const slice = entries.slice(start, start + IN_FLIGHT)
    const results = await Promise.allSettled(
      slice.map(async (entry) => {
        if (entry.expiresAt !== null && entry.expiresAt < soonest) return false
        await retrying(() => store.put(entry.key, entry.value, putOptions(entry)))
        return true
      }),
    )
    let failure: { failed: number; error: unknown } | null = null
    results.forEach((result, index) => {
      if (result.status === "fulfilled") {
        if (result.value) counts.written++
        else counts.skipped++
      } else failure ??= { failed: start + index, error: result.reason }
    })
    if (failure !== null) return failure
  }
  return null
}
