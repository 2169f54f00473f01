// The tables each object instance keeps in its SQLite storage. A Durable
// Object's SQLite refuses a string, BLOB or row over 2 MB, so a value over
// CHUNK_BYTES is kept in chunk rows and the entry row holds none of it.

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS layeron_kv (
    key TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL,
    chunks INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    metadata TEXT,
    expires_at INTEGER,
    version TEXT
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS layeron_kv_expires_at ON layeron_kv (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE IF NOT EXISTS layeron_kv_chunks (
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (key, seq)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS layeron_kv_meta (name TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
`

/** 1 MiB: a chunk with its key stays well under the 2 MB row limit. */
export const CHUNK_BYTES = 1024 * 1024

export const ENTRY_COLUMNS = "value, chunks, content_type, metadata, expires_at, version"
