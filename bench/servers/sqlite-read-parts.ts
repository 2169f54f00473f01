// node:http reading the session on SQLite, in the layer that PART names, to
// take apart what Layeron's read costs under HTTP load (with bench/http-ab.ts):
//   text      the hand-written read: one TEXT column (as raw-node-storage.ts)
//   row       Layeron's table and row read by hand: five columns, the value a BLOB
//   row-text  the same row, the value TEXT (as a string written to Layeron is kept)
//   value     Layeron's value column alone, a BLOB
//   value-text Layeron's value column alone, TEXT
//   driver    Layeron's sqlite driver
//   store     Layeron's store and handle.json()
// SQLITE_PATH is the file. Each answers the profile JSON as the hand-written server does.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { kv } from "@layeron/modules"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import Database from "better-sqlite3"
import { BENCH_EMAIL, DAY_SECONDS, newSession } from "./backend.ts"
import { announce, answerProfile, exitOnSigterm } from "./session-app.ts"

const part = process.env.PART ?? "text"
const path = process.env.SQLITE_PATH ?? ""
const token = crypto.randomUUID()
const stored = JSON.stringify({ ...newSession(BENCH_EMAIL), expiresAt: Date.now() + DAY_SECONDS * 1000 })
const decoder = new TextDecoder()
const layeronKey = (key: string) => `auth/user-sessions/${key}`

async function reader(): Promise<(key: string) => unknown> {
  if (part === "text") {
    const db = new Database(path)
    db.pragma("journal_mode = WAL")
    db.exec("CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
    db.prepare("INSERT OR REPLACE INTO sessions VALUES (?, ?)").run(`session:${token}`, stored)
    const select = db.prepare<[string], string>("SELECT value FROM sessions WHERE key = ?").pluck()
    return (key) => JSON.parse(select.get(key) as string)
  }
  const driver = sqliteDriver({ path })
  const store = kv({ name: "user-sessions", namespace: "auth", driver, ttlSeconds: DAY_SECONDS })
  // Written as a string, Layeron keeps the value as TEXT; "row" and "value" read a BLOB, as values written as bytes
  // (and strings before session 5) are kept.
  const value = part === "row" || part === "value" ? new TextEncoder().encode(stored) : stored
  await store.put(`session:${token}`, value, { contentType: "application/json" })
  const db = new Database(path)
  const columns = "content_type, metadata, expires_at, version FROM layeron_kv WHERE key = ?"
  if (part === "row") {
    const select = db.prepare<[string], [Uint8Array]>(`SELECT value, ${columns}`).raw()
    return (key) => JSON.parse(decoder.decode((select.get(layeronKey(key)) as [Uint8Array])[0]))
  }
  if (part === "row-text") {
    const select = db.prepare<[string], [string]>(`SELECT CAST(value AS TEXT), ${columns}`).raw()
    return (key) => JSON.parse((select.get(layeronKey(key)) as [string])[0])
  }
  if (part === "value-text") {
    const select = db.prepare<[string], string>("SELECT value FROM layeron_kv WHERE key = ?").pluck()
    return (key) => JSON.parse(select.get(layeronKey(key)) as string)
  }
  if (part === "value") {
    const select = db.prepare<[string], Uint8Array>("SELECT value FROM layeron_kv WHERE key = ?").pluck()
    return (key) => JSON.parse(decoder.decode(select.get(layeronKey(key)) as Uint8Array))
  }
  if (part === "driver") {
    return (key) => {
      const entry = driver.get(layeronKey(key))
      // A value kept as TEXT comes with its string, as the store's handle reads it.
      return entry === null ? null : JSON.parse(entry.text ?? decoder.decode(entry.value))
    }
  }
  if (part === "store") return async (key) => (await store.get(key))?.json()
  throw new Error(`PART must be text, row, row-text, value, value-text, driver or store, got ${part}`)
}

const read = await reader()
const server = createServer(async (request, response) => {
  const authorization = request.headers.authorization
  const session = authorization?.startsWith("Bearer ")
    ? ((await read(`session:${authorization.slice(7)}`)) as { email: string; roles: string[] } | null)
    : null
  answerProfile(response, session ?? null)
})
server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port, token))
exitOnSigterm()
