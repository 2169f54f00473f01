import type { StoredEntry } from "../../driver.js"
import { entryOf } from "./transactions.js"

// A point read (`get`) in two columns where the table has five. better-sqlite3
// builds a row through V8's API one column at a time, and each column costs
// about 1.3k instructions: the five-column row took 11.4k a read, these two
// 8.4k, in a request of about 100k (BENCHMARKS.md, session 7). So the shape
// nearly every read meets (a JSON value, no metadata, no version) comes back
// as the value and its expiry alone; any other shape brings its four other
// columns as one JSON array, which costs 1.3k more than the five-column row.

const COMMON_CONTENT_TYPE = "application/json"

export const POINT_READ_SQL = `SELECT value,
  CASE WHEN content_type = '${COMMON_CONTENT_TYPE}' AND metadata IS NULL AND version IS NULL
    THEN expires_at
    ELSE json_array(content_type, metadata, expires_at, version) END
  FROM layeron_kv WHERE key = ?`

/** The value (TEXT as a string, a BLOB as bytes), then the expiry or the JSON array of the other columns. */
export type PointReadRow = [value: Uint8Array | string, expiresAtOrColumns: number | null | string]

type OtherColumns = [contentType: string, metadata: string | null, expiresAt: number | null, version: string | null]

export function entryOfPointRead(row: PointReadRow): StoredEntry {
  const [value, rest] = row
  if (typeof rest !== "string") return entryOf(value, COMMON_CONTENT_TYPE, null, rest, null)
  const [contentType, metadata, expiresAt, version] = JSON.parse(rest) as OtherColumns
  return entryOf(value, contentType, metadata, expiresAt, version)
}
