/** Where a store reads the time: milliseconds since the epoch. Tests inject one they can move. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

// The clock of stores created without one. It is global (not module state) so
// that a test's fake clock reaches a store an example file created, even when
// the two loaded separate copies of this package.
const DEFAULT_CLOCK = Symbol.for("layeron.kv.defaultClock")
type ClockHolder = { [DEFAULT_CLOCK]?: Clock }

export function defaultClock(): Clock {
  return (globalThis as ClockHolder)[DEFAULT_CLOCK] ?? systemClock
}

/** Makes `clock` the clock of every store created without one; returns a function that undoes it. */
export function setDefaultClock(clock: Clock): () => void {
  const holder = globalThis as ClockHolder
  const previous = holder[DEFAULT_CLOCK]
  holder[DEFAULT_CLOCK] = clock
  return () => {
    holder[DEFAULT_CLOCK] = previous
  }
}
