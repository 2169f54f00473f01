import type { StoredEntry } from "../../driver.js"
import { entryOf } from "./transactions.js"

// A point read (`get`) in four columns where the table has five.
// better-sqlite3 builds a row through V8's API one column at a time, about
// 1.3k instructions a column, so the column a read can do without is worth
// leaving out (bench/sqlite-row-instructions.ts; BENCHMARKS.md, session 7).
// Metadata is the rare one: a row without it brings its expiry in the third
// column (an INTEGER, or NULL for none); a row with it brings there its
// expiry's digits (none for no expiry), a space, then the metadata, as TEXT.
// The digits hold no space, so the first space ends them.

export const POINT_READ_SQL = `SELECT value, content_type,
  CASE WHEN metadata IS NULL THEN expires_at ELSE ifnull(expires_at, '') || ' ' || metadata END,
  version
  FROM layeron_kv WHERE key = ?`

/** The value (TEXT as a string, a BLOB as bytes), its content type, its expiry (or expiry and metadata as text), its version. */
export type PointReadRow = [
  value: Uint8Array | string,
  contentType: string,
  expiresAtOrWithMetadata: number | null | string,
  version: string | null,
]

export function entryOfPointRead(row: PointReadRow): StoredEntry {
  const [value, contentType, expiry, version] = row
  if (typeof expiry !== "string") return entryOf(value, contentType, null, expiry, version)
  const space = expiry.indexOf(" ")
  const expiresAt = space === 0 ? null : Number(expiry.slice(0, space))
  return entryOf(value, contentType, expiry.slice(space + 1), expiresAt, version)
}
