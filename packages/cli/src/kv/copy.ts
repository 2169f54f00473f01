import { UserError } from "../user-error.js"
import { startProgress } from "./progress.js"
import { readEntries } from "./read-entries.js"
import { type KVStoreLike, storePath } from "./store-api.js"
import { type WriteCounts, writeBatch } from "./write-entries.js"

/**
 * Copies every live entry of `from` into `to` (the same store on another
 * backend), a page at a time: values, content types, metadata and absolute
 * expiries as they were. An entry with less left than the shortest TTL is
 * skipped rather than given a longer life.
 */
export async function copyStore(from: KVStoreLike, to: KVStoreLike): Promise<WriteCounts> {
  const progress = await startProgress(`copy ${storePath(from)}`, { knownSize: false })
  const counts: WriteCounts = { written: 0, skipped: 0 }
  try {
    const pages = readEntries(from)
    // The next page is read while this one is written: on a networked source the two round trips overlap.
    // (Marked handled at once: a failed read surfaces at its await, not as an unhandled rejection meanwhile.)
    let next = pages.next()
    next.catch(() => undefined)
    for (;;) {
      const current = await next
      if (current.done) break
      const page = current.value
      next = pages.next()
      next.catch(() => undefined)
      const failure = await writeBatch(to, page, Date.now(), counts)
      if (failure !== null) {
        const key = page[failure.failed]?.key
        const message = failure.error instanceof Error ? failure.error.message : String(failure.error)
        await next.catch(() => undefined)
        throw new UserError(
          `${storePath(from)}: key ${JSON.stringify(key)}: ${message}; the copy stopped after ${counts.written} entries, so it is incomplete`,
        )
      }
      progress.update(counts.written)
    }
  } finally {
    progress.stop()
  }
  return counts
}
