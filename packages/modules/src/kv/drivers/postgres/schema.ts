// The one table the postgres driver keeps, and how it comes to be: created on
// first use, under a transaction-scoped advisory lock so that app processes
// starting together do not race each other's CREATE, and marked with its
// schema version in the table's comment, so a later release can tell what it
// finds and migrate it, and a release that finds a newer table refuses it.

/** The schema this release writes and reads. */
export const SCHEMA_VERSION = 1

export const TABLE = "layeron_kv"

const MARK = "layeron storage.kv, schema "

/**
 * Keys are bytea, their UTF-8 bytes: bytea compares byte by byte, the order
 * every other driver lists in, whatever the database's collation, and it
 * holds a NUL, which text cannot. Expiry is milliseconds since the epoch as
 * double precision, the store's number exactly.
 */
export const CREATE_SQL = [
  `CREATE TABLE IF NOT EXISTS ${TABLE} (
    key bytea PRIMARY KEY,
    value bytea NOT NULL,
    content_type text NOT NULL,
    metadata text,
    expires_at double precision,
    version text
  )`,
  // Large values out of line and uncompressed: a 25 MiB value is stored without spending
  // seconds of the server's CPU compressing it (session blobs stay inline either way).
  `ALTER TABLE ${TABLE} ALTER COLUMN value SET STORAGE EXTERNAL`,
  `CREATE INDEX IF NOT EXISTS ${TABLE}_expires_at ON ${TABLE} (expires_at) WHERE expires_at IS NOT NULL`,
  `COMMENT ON TABLE ${TABLE} IS '${MARK}${SCHEMA_VERSION}'`,
]

/** The table's comment, or null when there is no table (in the schemas on the search path). */
export const READ_MARK_SQL = `SELECT obj_description(to_regclass('${TABLE}'), 'pg_class') AS mark,
  to_regclass('${TABLE}') IS NOT NULL AS present`

/** Held for the length of the transaction that creates the table: a constant every Layeron process shares. */
export const SCHEMA_LOCK = 0x4c4b5601

/** Held by the process that sweeps, for the length of its sweep. */
export const SWEEP_LOCK = 0x4c4b5602

/**
 * What to do with what `READ_MARK_SQL` found: nothing (this schema is there),
 * create it, or refuse (a table Layeron did not make, or a newer schema),
 * with the reason.
 */
export function schemaAction(present: boolean, mark: string | null): "ready" | "create" | { refuse: string } {
  if (!present) return "create"
  const version = mark?.startsWith(MARK) ? Number(mark.slice(MARK.length)) : Number.NaN
  if (version === SCHEMA_VERSION) return "ready"
  if (Number.isInteger(version) && version > SCHEMA_VERSION) {
    return { refuse: `its table ${TABLE} has schema ${version}, made by a newer Layeron; upgrade @layeron/modules` }
  }
  return {
    refuse: `a table ${TABLE} exists that Layeron did not create (its comment is ${JSON.stringify(mark)}); rename it or point LAYERON_KV at another database`,
  }
}
