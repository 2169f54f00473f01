import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import Database from "better-sqlite3"
import { type Clock, systemClock } from "../clock.js"
import type { DriverListOptions, KVDriver, ListedEntry, ListPage, StoredEntry } from "../driver.js"
import { KVError } from "../errors.js"
import { prefixUpperBound } from "../key-order.js"
import { decodeKeyCursor, encodeKeyCursor } from "../list-cursor.js"

export interface SqliteDriverOptions {
  /** The database file; created with its folder if missing. ":memory:" for a private in-memory database. */
  path: string
  /** How often expired entries are removed (default 60 s). */
  sweepIntervalMs?: number
  /**
   * At most this many rows are removed per step of a sweep (default 100); a step shrinks below it to hold
   * the event loop about 2 ms, since an expired row on a random page costs tens of microseconds to remove.
   */
  sweepBatchSize?: number
  /** How long a write waits for another process's lock before failing (default 5 s). */
  busyTimeoutMs?: number
  /** Used to tell what has expired when sweeping. */
  clock?: Clock
}

type Row = [value: Uint8Array, contentType: string, metadata: string | null, expiresAt: number | null]
type ListRow = [key: string, expiresAt: number | null, metadata: string | null]

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS layeron_kv (
    key TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL,
    content_type TEXT NOT NULL,
    metadata TEXT,
    expires_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS layeron_kv_expires_at ON layeron_kv (expires_at) WHERE expires_at IS NOT NULL;
`

/** One batch of a sweep: the oldest expired rows, found through the expiry index. Exported for its query-plan test. */
export const SWEEP_SQL = `DELETE FROM layeron_kv WHERE key IN
  (SELECT key FROM layeron_kv WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`

/**
 * Entries in an embedded SQLite file (better-sqlite3): WAL, so readers never
 * wait for a writer and several processes can share the file; expiry in an
 * indexed column, checked on read and swept in small batches.
 */
export class SqliteDriver implements KVDriver {
  readonly name = "sqlite"
  readonly path: string
  private readonly db: Database.Database
  private readonly clock: Clock
  private readonly batchSize: number
  private readonly timer: ReturnType<typeof setInterval>
  private readonly statements
  private sweeping: Promise<number> | undefined
  /** The batch size the last sweep settled on, so the next one starts there. */
  private nextSweepBatch = Number.POSITIVE_INFINITY

  constructor(options: SqliteDriverOptions) {
    this.path = options.path
    this.clock = options.clock ?? systemClock
    this.batchSize = options.sweepBatchSize ?? 100
    this.db = openDatabase(options.path, options.busyTimeoutMs ?? 5000)
    const db = this.db
    this.statements = {
      get: db
        .prepare<[string], Row>("SELECT value, content_type, metadata, expires_at FROM layeron_kv WHERE key = ?")
        .raw(),
      put: db.prepare(
        "INSERT OR REPLACE INTO layeron_kv (key, value, content_type, metadata, expires_at) VALUES (?, ?, ?, ?, ?)",
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
    // A failed sweep (another process holding the lock past the timeout) is retried at the next
    // interval; reads hide expired rows meanwhile, and it must never become an unhandled rejection.
    this.timer = setInterval(() => this.sweep().catch(() => undefined), options.sweepIntervalMs ?? 60_000)
    this.timer.unref()
  }

  get(key: string): StoredEntry | null {
    const row = this.statements.get.get(key)
    return row === undefined ? null : toEntry(row)
  }

  getMany(keys: readonly string[]): (StoredEntry | null)[] {
    return keys.map((key) => this.get(key))
  }

  put(key: string, entry: StoredEntry): void {
    this.statements.put.run(key, entry.value, entry.contentType, entry.metadata, entry.expiresAt)
  }

  delete(key: string): void {
    this.statements.delete.run(key)
  }

  list(options: DriverListOptions): ListPage {
    const { prefix, limit, now } = options
    const after = options.cursor === null ? "" : decodeKeyCursor(options.cursor)
    const upper = prefixUpperBound(prefix)
    const rows =
      upper === null
        ? this.statements.listUnbounded.all(prefix, after, now, limit + 1)
        : this.statements.listBounded.all(prefix, upper, after, now, limit + 1)
    const page = rows.slice(0, limit)
    const entries: ListedEntry[] = page.map(([key, expiresAt, metadata]) => ({ key, expiresAt, metadata }))
    const last = page[page.length - 1]
    return { entries, cursor: rows.length > limit && last !== undefined ? encodeKeyCursor(last[0]) : null }
  }

  /**
   * Removes expired entries in batches, yielding to the event loop between
   * batches so requests are never held up; returns how many were removed.
   */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepBatches().finally(() => {
      this.sweeping = undefined
    })
    return this.sweeping
  }

  private async sweepBatches(): Promise<number> {
    let removed = 0
    let batch = Math.min(this.batchSize, this.nextSweepBatch)
    for (;;) {
      if (!this.db.open) return removed
      const started = performance.now()
      const { changes } = this.statements.sweep.run(this.clock.now(), batch)
      removed += changes
      // Expired rows lie on random pages (tokens are random): each removal dirties about one page. Copying
      // them into the database now keeps SQLite's own checkpoint (at 1000 pages: tens of ms) out of any step.
      if (changes > 0) this.db.pragma("wal_checkpoint(PASSIVE)")
      if (changes < batch) return removed
      batch = nextSweepBatch(batch, performance.now() - started, this.batchSize)
      this.nextSweepBatch = batch
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  close(): void {
    clearInterval(this.timer)
    if (this.db.open) this.db.close()
  }
}

/** About how long one step of a sweep may hold the event loop: the batch size follows it. */
const SWEEP_STEP_MS = 2
/** The fewest rows a step removes, so that a slow disk still makes progress. */
const MIN_SWEEP_BATCH = 10

function nextSweepBatch(batch: number, tookMs: number, max: number): number {
  const scaled = Math.floor(batch * Math.min(2, SWEEP_STEP_MS / Math.max(tookMs, 0.01)))
  return Math.max(MIN_SWEEP_BATCH, Math.min(max, scaled))
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
    return db
  } catch (error) {
    throw new KVError("KV_UNAVAILABLE", `Cannot open the SQLite store at ${path}: ${(error as Error).message}`, {
      cause: error,
    })
  }
}

function toEntry(row: Row): StoredEntry {
  return { value: row[0], contentType: row[1], metadata: row[2], expiresAt: row[3] }
}

export function sqliteDriver(options: SqliteDriverOptions): SqliteDriver {
  return new SqliteDriver(options)
}
