import type Database from "better-sqlite3"
import { incremented } from "../../counter.js"
import type { IncrementRefusal, StoredEntry } from "../../driver.js"
import { utf8 } from "../../encode-value.js"
import { storedEntry } from "../../stored-entry.js"
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
        const { contentType, metadata, expiresAt, version } = next.entry
        this.write.run(key, storedValue(next.entry), contentType, metadata, expiresAt, version ?? null)
        return next.count
      },
    ).immediate
  }

  // Each runs its statement in a try of its own, with the parameters spelt out: hot paths, where a
  // closure or a spread array per call showed in profiles. A lock another connection holds past
  // the busy timeout is KV_UNAVAILABLE (503), not a 500.

  putIf(key: string, entry: StoredEntry, expected: string | null, now: number): boolean {
    const { contentType, metadata, expiresAt } = entry
    const value = storedValue(entry)
    const version = entry.version ?? null
    try {
      return expected === null
        ? this.replaceIfAbsent.run(key, value, contentType, metadata, expiresAt, version, now).changes > 0
        : this.updateIfVersion.run(value, contentType, metadata, expiresAt, version, key, expected, now).changes > 0
    } catch (error) {
      throw sqliteError(error, this.path, "putIf")
    }
  }

  deleteIf(key: string, expected: string, now: number): boolean {
    try {
      return this.deleteIfVersion.run(key, expected, now).changes > 0
    } catch (error) {
      throw sqliteError(error, this.path, "deleteIf")
    }
  }

  getAndDelete(key: string): StoredEntry | null {
    let taken: Row | undefined
    try {
      taken = this.take.get(key)
    } catch (error) {
      throw sqliteError(error, this.path, "getAndDelete")
    }
    return taken === undefined ? null : toEntry(taken)
  }

  increment(key: string, delta: number, created: StoredEntry, now: number): number | IncrementRefusal {
    try {
      return this.incrementInTransaction(key, delta, created, now)
    } catch (error) {
      throw sqliteError(error, this.path, "increment")
    }
  }
}

type EntryValues = [
  /** TEXT for a value written as a string, else a BLOB. */
  value: Uint8Array | string,
  contentType: string,
  metadata: string | null,
  expiresAt: number | null,
  version: string | null,
]
type EntryRow = [key: string, ...EntryValues]

export function toEntry(row: Row): StoredEntry {
  return entryOf(row[0], row[1], row[2], row[3], row[4])
}

/** An entry from its columns: a TEXT value (a string) as a TextEntry, a BLOB as bytes. */
export function entryOf(
  value: Uint8Array | string,
  contentType: string,
  metadata: string | null,
  expiresAt: number | null,
  version: string | null,
): StoredEntry {
  if (typeof value === "string") return new TextEntry(value, contentType, metadata, expiresAt, version ?? undefined)
  return storedEntry(value, contentType, metadata, expiresAt, version)
}

/**
 * An entry whose value SQLite holds as TEXT (it was written as a string):
 * the string as it is, its UTF-8 bytes made only if something asks. A BLOB
 * would cost a Buffer per read, and with the row's other columns it measured
 * 3-4 µs a request more under HTTP load than TEXT (BENCHMARKS.md, session 5).
 */
class TextEntry implements StoredEntry {
  #bytes: Uint8Array | undefined

  constructor(
    readonly text: string,
    readonly contentType: string,
    readonly metadata: string | null,
    readonly expiresAt: number | null,
    readonly version: string | undefined,
  ) {}

  get value(): Uint8Array {
    this.#bytes ??= utf8(this.text)
    return this.#bytes
  }
}

/** What a write binds as the value: the string when the entry has one (stored as TEXT), else the bytes (a BLOB). */
export function storedValue(entry: StoredEntry): Uint8Array | string {
  return entry.text ?? entry.value
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
