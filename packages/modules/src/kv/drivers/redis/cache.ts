import type { StoredEntry } from "../../driver.js"
import { withValue } from "../../stored-entry.js"

export interface RedisCacheOptions {
  /** How many entries the cache holds, least recently read dropped first (default 10,000). */
  maxEntries?: number
  /** Larger values are never cached (default 64 KiB): the cache is for hot, small entries like sessions. */
  maxValueBytes?: number
  /**
   * The cache answers only while Redis was heard from this recently (default
   * 1500 ms; the invalidation connection is pinged every 500 ms), so even a
   * network partition that no socket notices cannot make it serve an entry
   * staler than this.
   */
  freshForMs?: number
}

/** One read from Redis whose answer may be cached, unless something changed the key meanwhile. */
export interface Fetch {
  readonly key: string
  readonly epoch: number
  stale: boolean
}

/**
 * Entries read from Redis, kept in-process while Redis promises to tell us
 * when they change (CLIENT TRACKING). Correctness rules:
 *
 * - Only while tracking is on (`active`): a reconnect of either connection
 *   can lose invalidations, so it empties the cache and starts a new epoch;
 *   an answer from an older epoch is never cached.
 * - An invalidation arrives on another connection than the answer it may
 *   concern, so it can overtake it: a read in flight when its key is
 *   invalidated is not cached.
 * - Only while Redis was heard from lately on the invalidation connection: a
 *   PONG there proves every invalidation sent before it has arrived.
 */
export class ReadCache {
  private readonly entries = new Map<string, StoredEntry>()
  private readonly inFlight = new Map<string, Set<Fetch>>()
  private readonly maxEntries: number
  private readonly maxValueBytes: number
  private readonly freshForMs: number
  private lastHeard = 0
  private epoch = 0
  active = false
  /** Reads answered from the cache, and reads that went to Redis; for measurement. */
  hits = 0
  misses = 0

  constructor(options: RedisCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000
    this.maxValueBytes = options.maxValueBytes ?? 64 * 1024
    this.freshForMs = options.freshForMs ?? 1500
  }

  /** Every invalidation sent by Redis before `at` has arrived (a PONG to a PING sent at `at`). */
  heard(at: number): void {
    if (at > this.lastHeard) this.lastHeard = at
  }

  /** Whether a cached entry may answer now. */
  get fresh(): boolean {
    return this.active && Date.now() - this.lastHeard <= this.freshForMs
  }

  get size(): number {
    return this.entries.size
  }

  /** The cached entry, marked as recently used; undefined on a miss. */
  get(key: string): StoredEntry | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    this.hits++
    return entry
  }

  has(key: string): boolean {
    return this.fresh && this.entries.has(key)
  }

  /** Starts a read whose answer may be cached; null when the cache is off. */
  begin(key: string): Fetch | null {
    this.misses++
    if (!this.active) return null
    const fetch: Fetch = { key, epoch: this.epoch, stale: false }
    let fetches = this.inFlight.get(key)
    if (fetches === undefined) {
      fetches = new Set()
      this.inFlight.set(key, fetches)
    }
    fetches.add(fetch)
    return fetch
  }

  /** Ends a read: caches its answer if nothing could have changed it meanwhile. */
  finish(fetch: Fetch | null, entry: StoredEntry | null): void {
    if (fetch === null) return
    const fetches = this.inFlight.get(fetch.key)
    fetches?.delete(fetch)
    if (fetches?.size === 0) this.inFlight.delete(fetch.key)
    if (fetch.stale || fetch.epoch !== this.epoch || !this.active || entry === null) return
    if (entry.value.byteLength > this.maxValueBytes) return
    // A copy: the reply may be a slice of a large socket buffer that the cache would keep alive.
    this.entries.set(fetch.key, withValue(entry, entry.value.slice()))
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string
      this.entries.delete(oldest)
    }
  }

  /** Redis says `key` changed (or this process is changing it). */
  invalidate(key: string): void {
    this.entries.delete(key)
    const fetches = this.inFlight.get(key)
    if (fetches) for (const fetch of fetches) fetch.stale = true
  }

  /** Tracking is on again: answers from now on may be cached. */
  activate(): void {
    this.clear()
    this.active = true
    this.lastHeard = Date.now()
  }

  /** Tracking is off or unknown (a connection dropped): nothing cached can be trusted. */
  deactivate(): void {
    this.active = false
    this.clear()
  }

  /** Everything changed (FLUSHALL, or Redis lost track): forget all. */
  clear(): void {
    this.epoch++
    this.entries.clear()
    for (const fetches of this.inFlight.values()) for (const fetch of fetches) fetch.stale = true
  }
}
