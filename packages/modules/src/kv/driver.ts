/**
 * The driver contract: the few operations a backend must provide. The store
 * does validation, defaults, scoping, encoding and expiry checks, so a driver
 * only moves entries in and out of its backend.
 */

/** An entry as a driver stores it. */
export interface StoredEntry {
  /**
   * The value's bytes. On a write it may be a view into a larger buffer (a
   * Buffer from Node.js's pool): a driver reads its bytes (never `.buffer`
   * whole) and copies them if it keeps them past the call, as memory does.
   */
  readonly value: Uint8Array
  readonly contentType: string
  /** User metadata as JSON text, or null. */
  readonly metadata: string | null
  /** Milliseconds since the epoch, or null for no expiry. */
  readonly expiresAt: number | null
  /**
   * An opaque token the store made for this write (a strong store makes a new
   * one on every write, never repeated), or absent/"" for a store that keeps
   * none. A driver keeps it as given and returns it with the entry.
   */
  readonly version?: string
  /**
   * The value as the string it was written as, when it was one: `value` is
   * then its UTF-8. A driver may store and return this instead (sqlite keeps
   * such a value as TEXT, so a read makes no Buffer); one that returns it
   * from a read makes `value` match it.
   */
  readonly text?: string
}

export interface ListedEntry {
  readonly key: string
  readonly expiresAt: number | null
  readonly metadata: string | null
}

export interface DriverListOptions {
  /** Only keys that start with this. */
  readonly prefix: string
  /** At most this many entries. */
  readonly limit: number
  /**
   * Where the previous page ended, exactly as this driver returned it: the
   * store wraps a driver's cursor in a checked one and refuses any other, so
   * a driver never has to check a cursor it is given.
   */
  readonly cursor: string | null
  /** Entries expiring at or before this instant are left out. */
  readonly now: number
}

export interface ListPage {
  /** Keys in ascending UTF-8 byte order. */
  readonly entries: readonly ListedEntry[]
  /** Null when there is nothing after this page. */
  readonly cursor: string | null
}

type Awaitable<T> = T | Promise<T>

/** Why `increment` wrote nothing: the live value is not a counter (see counter.ts), or the sum leaves the safe range. */
export type IncrementRefusal = "not-a-counter" | "out-of-range"

/**
 * A backend for storage.kv. A store hands it only valid, scoped keys and
 * encoded entries, and checks expiry itself on read, so a driver stores and
 * returns entries as given. A driver is correct when `runKVConformance`
 * passes on it.
 *
 * @example
 * class MapDriver implements KVDriver {
 *   readonly name = "map"
 *   private readonly entries = new Map<string, StoredEntry>()
 *   get(key: string) { return this.entries.get(key) ?? null }
 *   getMany(keys: readonly string[]) { return keys.map((key) => this.get(key)) }
 *   put(key: string, entry: StoredEntry) { this.entries.set(key, entry) }
 *   delete(key: string) { this.entries.delete(key) }
 *   list(options: DriverListOptions): ListPage { ... } // keys after `cursor` with `prefix`, in UTF-8 byte order
 *   close() {}
 * }
 * const store = storage.kv({ name: "sessions", driver: new MapDriver() })
 */
export interface KVDriver {
  /** A short name for messages: "sqlite", "memory", "redis", ... */
  readonly name: string
  /**
   * True when one driver instance holds the keys of a single store (a Workers
   * KV binding), so keys need no store prefix.
   */
  readonly scopedPerStore?: boolean
  get(key: string): Awaitable<StoredEntry | null>
  /** Entries in the order of `keys`; one round trip where the backend allows. */
  getMany(keys: readonly string[]): Awaitable<readonly (StoredEntry | null)[]>
  put(key: string, entry: StoredEntry): Awaitable<void>
  delete(key: string): Awaitable<void>
  list(options: DriverListOptions): Awaitable<ListPage>
  /**
   * Optional, for whole-store moves (`layeron kv export|copy`) on a backend
   * where ordered `list` pages are costly (Redis: each page is a full SCAN):
   * every key that starts with `prefix`, in no order, a batch at a time. A
   * key may come twice and an expired one may come (the store's reads leave
   * it out); a key written during the walk may be missed. Without it, the
   * store walks `list` pages.
   */
  scanKeys?(prefix: string): AsyncIterable<readonly string[]>
  close(): Awaitable<void>
}

/**
 * What a driver adds to serve `consistency: "strong"` stores: each operation
 * atomic across every process on the backend, natively (one Redis script or
 * command, one SQLite transaction). The store does validation, versions and
 * expiry; `now` is the store's clock, and an entry that expires at or before
 * it counts as absent. A driver without these serves eventual stores only.
 */
export interface AtomicKVDriver extends KVDriver {
  /**
   * Writes `entry` only if the key holds a live entry of version `expected`,
   * or, when `expected` is null, no live entry. True when it wrote.
   */
  putIf(key: string, entry: StoredEntry, expected: string | null, now: number): Awaitable<boolean>
  /** Deletes the entry only if it is live and of version `expected`. True when it deleted. */
  deleteIf(key: string, expected: string, now: number): Awaitable<boolean>
  /** Removes the entry and returns what it held (the store checks expiry): of concurrent callers, one gets it. */
  getAndDelete(key: string): Awaitable<StoredEntry | null>
  /**
   * Adds `delta` to the live counter at `key`, keeping its expiry, content
   * type and metadata, with `created.version` as its new version; with no
   * live entry, writes `created` (the counter at `delta`). Returns the new
   * count, or why nothing was written.
   */
  increment(key: string, delta: number, created: StoredEntry, now: number): Awaitable<number | IncrementRefusal>
}

const ATOMIC_METHODS = ["putIf", "deleteIf", "getAndDelete", "increment"] as const

/** Whether a driver can serve a strong store. */
export function isAtomicDriver(driver: KVDriver): driver is AtomicKVDriver {
  const candidate = driver as unknown as Record<string, unknown>
  return ATOMIC_METHODS.every((method) => typeof candidate[method] === "function")
}
