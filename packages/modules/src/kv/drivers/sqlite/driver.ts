import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import Database from "better-sqlite3"
import { type Clock, systemClock } from "../../clock.js"
import type {
  AtomicKVDriver,
  DriverListOptions,
  IncrementRefusal,
  ListedEntry,
  ListPage,
  StoredEntry,
} from "../../driver.js"
import { KVError } from "../../errors.js"
import { prefixUpperBound } from "../../key-order.js"
import { checkOptionNames, isOptionBag } from "../../options.js"
import { redactCredentials } from "../../redact.js"
import { sqliteError } from "./errors.js"
import { entryOfPointRead, POINT_READ_SQL, type PointReadRow } from "./point-read.js"
import { SCHEMA, SWEEP_SQL } from "./sql.js"
import { SweepThread } from "./sweep.js"
import { addVersionColumn, SqliteTransactions, storedValue } from "./transactions.js"

export interface SqliteDriverOptions {
  /** The database file; created with its folder if missing. ":memory:" for a private in-memory database. */
  path: string
  /** How often expired entries are removed (default 60 s). */
  sweepIntervalMs?: number
  /** How many rows one transaction of a sweep removes (default 100): what an app's write may wait for. */
  sweepBatchSize?: number
  /** How long a statement waits for another process's lock before failing with `KV_UNAVAILABLE` (default 5 s). */
  busyTimeoutMs?: number
  /** Used to tell what has expired when sweeping. */
  clock?: Clock
}

type ListRow = [key: string, expiresAt: number | null, metadata: string | null]

/**
 * Entries in an embedded SQLite file (better-sqlite3): WAL, so readers never
 * wait for a writer and several processes can share the file; expiry in an
 * indexed column, checked on read and swept in small batches on a worker
 * thread.
 */
export class SqliteDriver implements AtomicKVDriver {
  readonly name = "sqlite"
  readonly path: string
  private readonly db: Database.Database
  private readonly clock: Clock
  private readonly batchSize: number
  private readonly busyTimeoutMs: number
  private readonly timer: ReturnType<typeof setInterval>
  private readonly statements
  private readonly transactions: SqliteTransactions
  private sweeping: Promise<number> | undefined
  private sweepThread: SweepThread | undefined

  constructor(options: SqliteDriverOptions) {
    this.path = options.path
    this.clock = options.clock ?? systemClock
    this.batchSize = options.sweepBatchSize ?? 100
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000
    this.db = openDatabase(options.path, this.busyTimeoutMs)
    const db = this.db
    this.statements = {
      get: db.prepare<[string], PointReadRow>(POINT_READ_SQL).raw(),
      put: db.prepare(
        "INSERT OR REPLACE INTO layeron_kv (key, value, content_type, metadata, expires_at, version) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      delete: db.prepare("DELETE FROM layeron_kv WHERE key = ?"),
      listBounded: db
        .prepare<[string, string, string, number, number], ListRow>(
          `SELECT key, expires_at, metadata FROM layeron_kv
           WHERE key >= ? AND key < ? AND key > ? AND (expires_at IS NULL OR expires_at > ?)
           ORDER BY key LIMIT ?`,
        )
        .raw(),
      listUnbounded: db
        .prepare<[string, string, number, number], ListRow>(
          `SELECT key, expires_at, metadata FROM layeron_kv
           WHERE key >= ? AND key > ? AND (expires_at IS NULL OR expires_at > ?)
           ORDER BY key LIMIT ?`,
        )
        .raw(),
      sweep: db.prepare(SWEEP_SQL),
    }
    this.transactions = new SqliteTransactions(db, options.path)
    // A failed sweep (another process holding the lock past the timeout) is retried at the next
    // interval; reads hide expired rows meanwhile, and it must never become an unhandled rejection.
    this.timer = setInterval(() => this.sweep().catch(() => undefined), options.sweepIntervalMs ?? 60_000)
    this.timer.unref()
  }

  get(key: string): StoredEntry | null {
    let row: PointReadRow | undefined
    try {
      row = this.statements.get.get(key)
    } catch (error) {
      throw sqliteError(error, this.path, "get")
    }
    return row === undefined ? null : entryOfPointRead(row)
  }

  getMany(keys: readonly string[]): (StoredEntry | null)[] {
    return keys.map((key) => this.get(key))
  }

  put(key: string, entry: StoredEntry): void {
    try {
      this.statements.put.run(
        key,
        storedValue(entry),
        entry.contentType,
        entry.metadata,
        entry.expiresAt,
        entry.version ?? null,
      )
    } catch (error) {
      throw sqliteError(error, this.path, "put")
    }
  }

  delete(key: string): void {
    try {
      this.statements.delete.run(key)
    } catch (error) {
      throw sqliteError(error, this.path, "delete")
    }
  }

  putIf(key: string, entry: StoredEntry, expected: string | null, now: number): boolean {
    return this.transactions.putIf(key, entry, expected, now)
  }

  deleteIf(key: string, expected: string, now: number): boolean {
    return this.transactions.deleteIf(key, expected, now)
  }

  getAndDelete(key: string): StoredEntry | null {
    return this.transactions.getAndDelete(key)
  }

  increment(key: string, delta: number, created: StoredEntry, now: number): number | IncrementRefusal {
    return this.transactions.increment(key, delta, created, now)
  }

  list(options: DriverListOptions): ListPage {
    const { prefix, limit, now } = options
    const after = options.cursor ?? ""
    const upper = prefixUpperBound(prefix)
    let rows: ListRow[]
    try {
      rows =
        upper === null
          ? this.statements.listUnbounded.all(prefix, after, now, limit + 1)
          : this.statements.listBounded.all(prefix, upper, after, now, limit + 1)
    } catch (error) {
      throw sqliteError(error, this.path, "list")
    }
    const page = rows.slice(0, limit)
    const entries: ListedEntry[] = page.map(([key, expiresAt, metadata]) => ({ key, expiresAt, metadata }))
    const last = page[page.length - 1]
    return { entries, cursor: rows.length > limit && last !== undefined ? last[0] : null }
  }

  /**
   * Removes expired entries in batches and returns how many were removed. A
   * file is swept on a worker thread (sweep.ts), so requests are never
   * held up; a private ":memory:" database, which no other connection can
   * reach, on this thread, yielding to the event loop between batches.
   */
  sweep(): Promise<number> {
    this.sweeping ??= (this.path === ":memory:" ? this.sweepHere() : this.sweepOnThread()).finally(() => {
      this.sweeping = undefined
    })
    return this.sweeping
  }

  private async sweepOnThread(): Promise<number> {
    if (!this.db.open) return 0
    const thread = new SweepThread({
      path: this.path,
      busyTimeoutMs: this.busyTimeoutMs,
      batchSize: this.batchSize,
      now: this.clock.now(),
    })
    this.sweepThread = thread
    try {
      return await thread.done
    } finally {
      this.sweepThread = undefined
    }
  }

  private async sweepHere(): Promise<number> {
    let removed = 0
    for (;;) {
      if (!this.db.open) return removed
      let changes: number
      try {
        changes = this.statements.sweep.run(this.clock.now(), this.batchSize).changes
      } catch (error) {
        throw sqliteError(error, this.path, "sweep")
      }
      removed += changes
      if (changes < this.batchSize) return removed
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  close(): void {
    clearInterval(this.timer)
    this.sweepThread?.stop()
    if (this.db.open) this.db.close()
  }
}

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true })
    const db = new Database(path, { timeout: busyTimeoutMs })
    db.pragma("journal_mode = WAL")
    // NORMAL is durable across a process crash in WAL mode; only a power loss can undo the last commits.
    db.pragma("synchronous = NORMAL")
    // Reads through a memory map instead of a read() per page: at 10M sessions it halved p99 get
    // (bench/scale.ts). 256 MiB of address space, not memory: the OS shares the file's cached pages.
    db.pragma("mmap_size = 268435456")
    db.exec(SCHEMA)
    addVersionColumn(db)
    return db
  } catch (error) {
    const shown = redactCredentials(path)
    const message = error instanceof Error ? error.message : String(error)
    // A path that looks like it holds a password (sqlite://user:pass@...) is hidden, and so is the
    // cause: a file system error quotes the path.
    if (shown !== path) {
      throw new KVError("KV_UNAVAILABLE", `Cannot open the SQLite store at ${shown}: ${redactCredentials(message)}`)
    }
    throw new KVError("KV_UNAVAILABLE", `Cannot open the SQLite store at ${path}: ${message}`, { cause: error })
  }
}

const OPTION_NAMES = ["path", "sweepIntervalMs", "sweepBatchSize", "busyTimeoutMs", "clock"]

export function sqliteDriver(options: SqliteDriverOptions): SqliteDriver {
  if (isOptionBag(options, "sqliteDriver()", "KV_CONFIG_INVALID")) {
    checkOptionNames(options, OPTION_NAMES, "sqliteDriver()", "KV_CONFIG_INVALID")
  }
  return new SqliteDriver(options)
}
