import type { IncrementRefusal, StoredEntry } from "./driver.js"
import { utf8 } from "./encode-value.js"
import { storedEntry } from "./stored-entry.js"

/**
 * What `increment()` counts in: a value that is a whole number as decimal
 * text, "0" or an optional "-" then digits without a leading zero, within
 * the safe integer range (±2^53 - 1), so every driver (and the Redis script,
 * which mirrors this) reads and writes a counter exactly alike. A counter
 * reads back as text ("42") or JSON (42).
 */
const COUNTER = /^(?:0|-?[1-9][0-9]{0,15})$/

const decoder = new TextDecoder()

/** The count a value holds, or null when it is not a counter. */
export function readCounter(value: Uint8Array): number | null {
  // 17 bytes: "-" and 16 digits, more than any safe integer has.
  if (value.byteLength === 0 || value.byteLength > 17) return null
  const text = decoder.decode(value)
  if (!COUNTER.test(text)) return null
  const count = Number(text)
  return Number.isSafeInteger(count) ? count : null
}

export function counterBytes(count: number): Uint8Array {
  return utf8(String(count))
}

/**
 * What `increment` writes: `created` where there is no live entry, else the
 * live counter plus `delta` with `created`'s version, its expiry, content
 * type and metadata kept. Or why it writes nothing.
 */
export function incremented(
  live: StoredEntry | null,
  delta: number,
  created: StoredEntry,
): { entry: StoredEntry; count: number } | IncrementRefusal {
  if (live === null) return { entry: created, count: delta }
  const current = readCounter(live.value)
  if (current === null) return "not-a-counter"
  const count = current + delta
  if (!Number.isSafeInteger(count)) return "out-of-range"
  return {
    entry: storedEntry(counterBytes(count), live.contentType, live.metadata, live.expiresAt, created.version),
    count,
  }
}
