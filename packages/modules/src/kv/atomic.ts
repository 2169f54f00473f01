// The checks, errors and retry policy of the atomic operations; the store
// (store.ts) runs them on its driver's primitives (AtomicKVDriver).
import type { IncrementRefusal } from "./driver.js"
import { KVError } from "./errors.js"
import { describeValue } from "./options.js"

export type Consistency = "strong" | "eventual"

/** How many times `update()` reads and tries to write before giving up with KV_CONFLICT. */
export const UPDATE_ATTEMPTS = 10
/** The longest pause between two tries of `update()`, in milliseconds. */
const MAX_BACKOFF_MS = 50
/** The longest pause when tries are slow (see backoff). */
const MAX_ROUND_TRIP_BACKOFF_MS = 2000

export function checkConsistency(value: unknown, name: string): Consistency {
  if (value === undefined) return "eventual"
  if (value === "strong" || value === "eventual") return value
  throw new KVError(
    "KV_OPTIONS_INVALID",
    `${name}: consistency must be "strong" or "eventual", got ${describeValue(value)}`,
  )
}

/** An atomic call on an eventual store: the same on every driver, so code that works locally works deployed. */
export function notAtomic(name: string, call: string): KVError {
  return new KVError(
    "KV_NOT_ATOMIC",
    `${name}: ${call} is an atomic operation, which needs a store declared strong: storage.kv({ ..., consistency: "strong" })`,
  )
}

/** `ifVersion`: a version from `handle.version`, or null for "only if absent". */
export function checkIfVersion(value: unknown, call: string): string | null {
  if (value === null || typeof value === "string") return value
  throw new KVError(
    "KV_OPTIONS_INVALID",
    `${call} ifVersion must be a version (a handle's version) or null (only if absent), got ${describeValue(value)}`,
  )
}

export function conflict(where: string, call: string, expected: string | null): KVError {
  const found =
    expected === null
      ? "ifVersion null (only if absent), and the key holds an entry"
      : `ifVersion ${JSON.stringify(expected)}, and the key is absent or at another version`
  return new KVError("KV_CONFLICT", `${where}: ${call} with ${found}; nothing was written`)
}

export function checkDelta(delta: unknown, where: string): number {
  if (typeof delta === "number" && Number.isSafeInteger(delta)) return delta
  throw new KVError(
    "KV_OPTIONS_INVALID",
    `${where}: increment() delta must be a whole number within ±(2^53 - 1), got ${describeValue(delta)}`,
  )
}

export function notCounter(where: string, refusal: IncrementRefusal, delta: number): KVError {
  const why =
    refusal === "not-a-counter"
      ? "the value is not a counter (a whole number as decimal text, such as 42)"
      : `adding ${delta} would leave the safe integer range (±(2^53 - 1))`
  return new KVError("KV_NOT_COUNTER", `${where}: increment() wrote nothing: ${why}`)
}

export function updateGaveUp(where: string): KVError {
  return new KVError(
    "KV_CONFLICT",
    `${where}: update() lost to concurrent writers ${UPDATE_ATTEMPTS} times in a row; nothing was written`,
  )
}

/**
 * A random pause before try `attempt` (from 1), growing with each try:
 * contenders spread out instead of colliding again. The window is counted in
 * round trips too (`lastTryMs`, what the failed try took): where a try takes
 * 30 ms (a Durable Object in another location, a loaded machine), a 50 ms
 * window would let 20 contenders collide on every try.
 */
export function backoff(attempt: number, lastTryMs = 0): Promise<void> {
  const window = Math.max(
    Math.min(MAX_BACKOFF_MS, 2 ** attempt),
    Math.min(MAX_ROUND_TRIP_BACKOFF_MS, lastTryMs * 2 ** (attempt - 1)),
  )
  const ms = Math.random() * window
  return new Promise((resolve) => setTimeout(resolve, ms))
}
