// The SQL the sqlite driver and its sweep thread share.

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS layeron_kv (
    key TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL,
    content_type TEXT NOT NULL,
    metadata TEXT,
    expires_at INTEGER,
    version TEXT
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS layeron_kv_expires_at ON layeron_kv (expires_at) WHERE expires_at IS NOT NULL;
`

/** One batch of a sweep: the oldest expired rows, found through the expiry index. Exported for its query-plan test. */
export const SWEEP_SQL = `DELETE FROM layeron_kv WHERE key IN
  (SELECT key FROM layeron_kv WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`
