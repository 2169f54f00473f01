import type Database from "better-sqlite3"
import { incremented } from "../../counter.js"
import type { IncrementRefusal, StoredEntry } from "../../driver.js"
import { sqliteError } from "./errors.js"

// The atomic operations of the sqlite driver. Each is one statement (atomic
// on its own) or one transaction begun IMMEDIATE, which takes the file's
// write lock before it reads: every process on the file sees it whole, and
// no other writer can slip in between its read and its write. A lock held
// by another process waits for the busy timeout, then is KV_UNAVAILABLE.

/** An entry as its row holds it (what `get` and the transactions select). */
export type Row = [
  value: Uint8Array,
  contentType: string,
  metadata: string | null,
  expiresAt: number | null,
  version: string | null,
]

const COLUMNS = "value, content_type, metadata, expires_at, version"
// Positional parameters: better-sqlite3 binds them faster than named ones, and these run on hot paths.
// A NULL version (an entry written without one) compares as "".

export class SqliteTransactions {
  private readonly path: string
  private readonly read
  private readonly write
  private readonly replaceIfAbsent
  private readonly updateIfVersion
  private readonly deleteIfVersion
  private readonly take
  private readonly incrementInTransaction

  constructor(db: Database.Database, path: string) {
    this.path = path
    this.read = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM layeron_kv WHERE key = ?`).raw()
    this.write = db.prepare<EntryRow>(`INSERT OR REPLACE INTO layeron_kv (key, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`)
    // Inserts; over an expired row (absent to the store) it writes too, over a live one it leaves it.
    this.replaceIfAbsent = db.prepare<[...EntryRow, number]>(
      `INSERT INTO layeron_kv (key, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, content_type = excluded.content_type,
         metadata = excluded.metadata, expires_at = excluded.expires_at, version = excluded.version
       WHERE layeron_kv.expires_at IS NOT NULL AND layeron_kv.expires_at <= ?`,
    )
    this.updateIfVersion = db.prepare<[...EntryValues, string, string, number]>(
      `UPDATE layeron_kv SET value = ?, content_type = ?, metadata = ?, expires_at = ?, version = ?
       WHERE key = ? AND coalesce(version, '') = ? AND (expires_at IS NULL OR expires_at > ?)`,
    )
    this.deleteIfVersion = db.prepare<[string, string, number]>(
      `DELETE FROM layeron_kv WHERE key = ? AND coalesce(version, '') = ? AND (expires_at IS NULL OR expires_at > ?)`,
    )
    this.take = db.prepare<[string], Row>(`DELETE FROM layeron_kv WHERE key = ? RETURNING ${COLUMNS}`).raw()
    this.incrementInTransaction = db.transaction(
      (key: string, delta: number, created: StoredEntry, now: number): number | IncrementRefusal => {
        const row = this.read.get(key)
        const live = row !== undefined && (row[3] === null || row[3] > now) ? toEntry(row) : null
        const next = incremented(live, delta, created)
        if (typeof next === "string") return next
        this.write.run(...entryRow(key, next.entry))
        return next.count
      },
    ).immediate
  }

  putIf(key: string, entry: StoredEntry, expected: string | null, now: number): boolean {
    return this.run("putIf", () =>
      expected === null
        ? this.replaceIfAbsent.run(...entryRow(key, entry), now).changes > 0
        : this.updateIfVersion.run(...entryValues(entry), key, expected, now).changes > 0,
    )
  }

  deleteIf(key: string, expected: string, now: number): boolean {
    return this.run("deleteIf", () => this.deleteIfVersion.run(key, expected, now).changes > 0)
  }

  getAndDelete(key: string): StoredEntry | null {
    const taken = this.run("getAndDelete", () => this.take.get(key))
    return taken === undefined ? null : toEntry(taken)
  }

  increment(key: string, delta: number, created: StoredEntry, now: number): number | IncrementRefusal {
    return this.run("increment", () => this.incrementInTransaction(key, delta, created, now))
  }

  /** Runs a statement; a lock another connection holds past the busy timeout is KV_UNAVAILABLE (503), not a 500. */
  private run<T>(what: string, statement: () => T): T {
    try {
      return statement()
    } catch (error) {
      throw sqliteError(error, this.path, what)
    }
  }
}

type EntryValues = [
  value: Uint8Array,
  contentType: string,
  metadata: string | null,
  expiresAt: number | null,
  version: string | null,
]
type EntryRow = [key: string, ...EntryValues]

function entryValues(entry: StoredEntry): EntryValues {
  return [entry.value, entry.contentType, entry.metadata, entry.expiresAt, entry.version ?? null]
}

function entryRow(key: string, entry: StoredEntry): EntryRow {
  return [key, ...entryValues(entry)]
}

export function toEntry(row: Row): StoredEntry {
  const entry = { value: row[0], contentType: row[1], metadata: row[2], expiresAt: row[3] }
  return row[4] === null ? entry : { ...entry, version: row[4] }
}

/**
 * Adds the version column to a file made before there were versions. Checked
 * and altered under the write lock, so two processes opening the file at once
 * do not both add it.
 */
export function addVersionColumn(db: Database.Database): void {
  const hasVersion = () =>
    (db.pragma("table_info(layeron_kv)") as { name: string }[]).some((column) => column.name === "version")
  if (hasVersion()) return
  db.transaction(() => {
    if (!hasVersion()) db.exec("ALTER TABLE layeron_kv ADD COLUMN version TEXT")
  }).immediate()
}
