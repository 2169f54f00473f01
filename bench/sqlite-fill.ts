// Builds a Layeron SQLite file with N sessions fast: the driver creates its own
// schema, then one transaction of prepared inserts goes straight into its
// layeron_kv table, in key order, with the expiry index built afterwards.
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import Database from "better-sqlite3"

/** The store prefix Layeron puts before every key of `storage.kv({ name: "user-sessions", namespace: "auth" })`. */
export const STORE_PREFIX = "auth/user-sessions/"

/** The i-th session key: UUID-shaped, and in key order when i is. */
export function sessionKey(index: number): string {
  const tail = (Math.imul(index, 2654435761) >>> 0).toString(16).padStart(12, "0")
  return `session:${index.toString(16).padStart(8, "0")}-7c1e-4b1a-9f3e-${tail}`
}

/** The i-th distinct session, as the docs' example stores it (JSON). */
export function sessionJson(index: number): string {
  return JSON.stringify({
    userId: `usr_${index}`,
    email: "ada@example.com",
    roles: ["admin"],
    createdAt: new Date(index).toISOString(),
  })
}

const VALUE = Buffer.from(
  JSON.stringify({
    userId: "usr_100",
    email: "ada@example.com",
    roles: ["admin"],
    createdAt: "2026-01-01T00:00:00.000Z",
  }),
)

/** Writes `rows` sessions expiring at `expiresAt(i)` into a new file at `path`. */
export function fillSessions(path: string, rows: number, expiresAt: (index: number) => number): void {
  sqliteDriver({ path }).close() // the driver's own schema, WAL mode
  const db = new Database(path)
  db.pragma("journal_mode = OFF")
  db.pragma("synchronous = OFF")
  db.pragma("cache_size = -262144") // 256 MiB while building
  db.exec("DROP INDEX IF EXISTS layeron_kv_expires_at")
  const insert = db.prepare(
    "INSERT INTO layeron_kv (key, value, content_type, metadata, expires_at) VALUES (?, ?, ?, NULL, ?)",
  )
  db.transaction(() => {
    for (let index = 0; index < rows; index++) {
      insert.run(STORE_PREFIX + sessionKey(index), VALUE, "application/json", expiresAt(index))
    }
  })()
  db.pragma("journal_mode = WAL")
  db.close()
  sqliteDriver({ path }).close() // the driver puts its expiry index back
}
