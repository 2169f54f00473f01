// The statements of the postgres driver, each a named prepared statement:
// parsed once per connection, then one round trip (bind, execute) per call.
import type { StoredEntry } from "../../driver.js"
import { storedEntry } from "../../stored-entry.js"
import { TABLE } from "./schema.js"

/** A named, prepared statement as pg runs it. */
export interface Statement {
  readonly name: string
  readonly text: string
}

const COLUMNS = "value, content_type, metadata, expires_at, version"

const statement = (name: string, text: string): Statement => ({ name: `layeron_kv_${name}`, text })

export const SQL = {
  get: statement("get", `SELECT ${COLUMNS} FROM ${TABLE} WHERE key = $1`),
  getMany: statement("get_many", `SELECT key, ${COLUMNS} FROM ${TABLE} WHERE key = ANY($1::bytea[])`),
  put: statement(
    "put",
    `INSERT INTO ${TABLE} (key, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, content_type = excluded.content_type,
       metadata = excluded.metadata, expires_at = excluded.expires_at, version = excluded.version`,
  ),
  delete: statement("delete", `DELETE FROM ${TABLE} WHERE key = $1`),
  // Bounds the index scans; one without an upper bound for a prefix no key can be past.
  listBounded: statement(
    "list_bounded",
    `SELECT key, expires_at, metadata FROM ${TABLE}
     WHERE key >= $1 AND key < $2 AND key > $3 AND (expires_at IS NULL OR expires_at > $4)
     ORDER BY key LIMIT $5`,
  ),
  listUnbounded: statement(
    "list_unbounded",
    `SELECT key, expires_at, metadata FROM ${TABLE}
     WHERE key >= $1 AND key > $2 AND (expires_at IS NULL OR expires_at > $3)
     ORDER BY key LIMIT $4`,
  ),
  // The atomic operations. Expired rows count as absent ($7 or $4: the store's now); a NULL
  // version (an entry written without one) compares as "".
  insertIfAbsent: statement(
    "insert_if_absent",
    `INSERT INTO ${TABLE} (key, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, content_type = excluded.content_type,
       metadata = excluded.metadata, expires_at = excluded.expires_at, version = excluded.version
     WHERE ${TABLE}.expires_at IS NOT NULL AND ${TABLE}.expires_at <= $7
     RETURNING 1`,
  ),
  updateIfVersion: statement(
    "update_if_version",
    `UPDATE ${TABLE} SET value = $2, content_type = $3, metadata = $4, expires_at = $5, version = $6
     WHERE key = $1 AND coalesce(version, '') = $7 AND (expires_at IS NULL OR expires_at > $8)`,
  ),
  deleteIfVersion: statement(
    "delete_if_version",
    `DELETE FROM ${TABLE} WHERE key = $1 AND coalesce(version, '') = $2 AND (expires_at IS NULL OR expires_at > $3)`,
  ),
  take: statement("take", `DELETE FROM ${TABLE} WHERE key = $1 RETURNING ${COLUMNS}`),
  increment: statement("increment", incrementSql()),
  // One batch of a sweep: expired rows through the expiry index, skipping rows a
  // transaction holds, so an app's write never waits for the sweep or the sweep for it.
  sweep: statement(
    "sweep",
    `DELETE FROM ${TABLE} WHERE key IN
       (SELECT key FROM ${TABLE} WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  ),
}

/**
 * increment as one statement, so concurrent increments of a key queue on its
 * row lock for one statement each: an absent key is inserted as `created`
 * ($1-$6); an expired one is overwritten with it; a live counter gets $7
 * added, keeping its expiry, content type and metadata; anything else is
 * left as it is (the version unchanged tells the driver it was refused).
 * The counter rule is counter.ts's: encode(..., 'escape') turns any byte
 * that is not printable ASCII into a backslash escape, which the pattern
 * refuses, so no byte sequence reaches the cast that is not decimal text.
 */
function incrementSql(): string {
  const expired = "t.expires_at IS NOT NULL AND t.expires_at <= $8"
  const count = `CASE WHEN encode(t.value, 'escape') ~ '^(0|-?[1-9][0-9]{0,15})$' THEN encode(t.value, 'escape')::bigint END`
  const counts = `abs(${count}) <= ${Number.MAX_SAFE_INTEGER} AND abs(${count} + $7::bigint) <= ${Number.MAX_SAFE_INTEGER}`
  const fromCreated = (column: string) =>
    `${column} = CASE WHEN ${expired} THEN excluded.${column} ELSE t.${column} END`
  return `INSERT INTO ${TABLE} AS t (key, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (key) DO UPDATE SET
      value = CASE WHEN ${expired} THEN excluded.value
        WHEN ${counts} THEN convert_to((${count} + $7::bigint)::text, 'UTF8') ELSE t.value END,
      ${fromCreated("content_type")}, ${fromCreated("metadata")}, ${fromCreated("expires_at")},
      version = CASE WHEN ${expired} OR (${counts}) THEN excluded.version ELSE t.version END
    RETURNING t.value, t.version IS NOT DISTINCT FROM $6`
}

/** A row of `get` and `take`, in COLUMNS order (pg's array row mode). */
export type EntryRow = [
  value: Buffer,
  contentType: string,
  metadata: string | null,
  expiresAt: number | null,
  version: string | null,
]

export function toEntry(row: EntryRow): StoredEntry {
  return storedEntry(row[0], row[1], row[2], row[3], row[4])
}

/** A key as the table holds it: its UTF-8 bytes. */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, "utf8")
}

/** The values of an entry's columns, after its key ($2 to $6). */
export function entryValues(entry: StoredEntry): [Buffer, string, string | null, number | null, string | null] {
  const { value } = entry
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  return [bytes, entry.contentType, entry.metadata, entry.expiresAt, entry.version ?? null]
}
