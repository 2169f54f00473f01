import { type Clock, systemClock } from "../../clock.js"
import { incremented } from "../../counter.js"
import type {
  AtomicKVDriver,
  DriverListOptions,
  IncrementRefusal,
  ListedEntry,
  ListPage,
  StoredEntry,
} from "../../driver.js"
import { ownedBytes } from "../../encode-value.js"
import { compareKeys } from "../../key-order.js"
import { checkOptionNames, isOptionBag } from "../../options.js"
import { withValue } from "../../stored-entry.js"

export interface MemoryDriverOptions {
  /** How often expired entries are removed (default 60 s). */
  sweepIntervalMs?: number
  /** Used to tell what has expired when sweeping. */
  clock?: Clock
}

/** Entries looked at per turn of the event loop when sweeping: about a millisecond's work. */
const SWEEP_SLICE = 1000

/**
 * The entry with bytes of its own: a value that is a view into a larger
 * buffer (Node's Buffer pool) would keep all of it alive. Without the
 * string a write may carry beside the bytes, which would keep the value twice.
 */
function owned(entry: StoredEntry): StoredEntry {
  const value = ownedBytes(entry.value)
  return value === entry.value && entry.text === undefined ? entry : withValue(entry, value)
}

/** Entries in a Map: for tests and throwaway runs. Nothing survives the process. */
export class MemoryDriver implements AtomicKVDriver {
  readonly name = "memory"
  private readonly entries = new Map<string, StoredEntry>()
  private readonly clock: Clock
  private readonly timer: ReturnType<typeof setInterval>
  private sweeping: Promise<number> | undefined

  constructor(options: MemoryDriverOptions = {}) {
    this.clock = options.clock ?? systemClock
    this.timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000)
    this.timer.unref?.()
  }

  /** How many entries are held, expired ones included until the next sweep. */
  get size(): number {
    return this.entries.size
  }

  get(key: string): StoredEntry | null {
    return this.entries.get(key) ?? null
  }

  getMany(keys: readonly string[]): (StoredEntry | null)[] {
    return keys.map((key) => this.entries.get(key) ?? null)
  }

  put(key: string, entry: StoredEntry): void {
    this.entries.set(key, owned(entry))
  }

  delete(key: string): void {
    this.entries.delete(key)
  }

  // The atomic operations: synchronous, so nothing can run between the read and the write.

  /** The entry if it is live at `now`, else null. */
  private live(key: string, now: number): StoredEntry | null {
    const entry = this.entries.get(key)
    return entry !== undefined && (entry.expiresAt === null || entry.expiresAt > now) ? entry : null
  }

  putIf(key: string, entry: StoredEntry, expected: string | null, now: number): boolean {
    const current = this.live(key, now)
    const matches = expected === null ? current === null : current !== null && (current.version ?? "") === expected
    if (matches) this.entries.set(key, owned(entry))
    return matches
  }

  deleteIf(key: string, expected: string, now: number): boolean {
    const current = this.live(key, now)
    const matches = current !== null && (current.version ?? "") === expected
    if (matches) this.entries.delete(key)
    return matches
  }

  getAndDelete(key: string): StoredEntry | null {
    const entry = this.entries.get(key) ?? null
    this.entries.delete(key)
    return entry
  }

  increment(key: string, delta: number, created: StoredEntry, now: number): number | IncrementRefusal {
    const next = incremented(this.live(key, now), delta, created)
    if (typeof next === "string") return next
    this.entries.set(key, owned(next.entry))
    return next.count
  }

  list(options: DriverListOptions): ListPage {
    const { prefix, limit, cursor, now } = options
    const matching: string[] = []
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue
      if (cursor !== null && compareKeys(key, cursor) <= 0) continue
      if (entry.expiresAt !== null && entry.expiresAt <= now) continue
      matching.push(key)
    }
    matching.sort(compareKeys)
    const page = matching.slice(0, limit)
    const entries: ListedEntry[] = page.map((key) => {
      const entry = this.entries.get(key) as StoredEntry
      return { key, expiresAt: entry.expiresAt, metadata: entry.metadata }
    })
    const last = page[page.length - 1]
    return { entries, cursor: matching.length > limit && last !== undefined ? last : null }
  }

  /**
   * Removes expired entries, a slice at a time with a turn of the event loop
   * between slices, and resolves to how many were removed; one sweep runs at
   * a time. A single pass over a million entries, half expired, held the loop
   * 385 ms; in slices the longest gap was 21-40 ms, mostly one full garbage
   * collection of the 110 MB heap those entries fill (--trace-gc).
   */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepSlices().finally(() => {
      this.sweeping = undefined
    })
    return this.sweeping
  }

  private async sweepSlices(): Promise<number> {
    const now = this.clock.now()
    let removed = 0
    let inSlice = 0
    // A Map's iterator stays valid while entries are deleted or added between slices.
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) {
        this.entries.delete(key)
        removed++
      }
      if (++inSlice === SWEEP_SLICE) {
        inSlice = 0
        await nextTurn()
      }
    }
    return removed
  }

  close(): void {
    clearInterval(this.timer)
    this.entries.clear()
  }
}

/** A turn of the event loop; Workers have no setImmediate. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)))
}

export function memoryDriver(options?: MemoryDriverOptions): MemoryDriver {
  if (isOptionBag(options, "memoryDriver()", "KV_CONFIG_INVALID")) {
    checkOptionNames(options, ["sweepIntervalMs", "clock"], "memoryDriver()", "KV_CONFIG_INVALID")
  }
  return new MemoryDriver(options)
}
