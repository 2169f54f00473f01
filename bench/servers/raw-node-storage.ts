// The limit on each backend: node:http with no framework, reading the session
// with the raw client (a Map, a better-sqlite3 prepared statement, an ioredis
// GET), checking its expiry and answering the profile JSON. What Layeron
// costs on a backend is the distance to this, not to raw-node.ts, which reads
// nothing.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { BENCH_EMAIL, backendFromEnv, DAY_SECONDS, newSession, type Session } from "./backend.ts"
import { announce, answerProfile, exitOnSigterm } from "./session-app.ts"

type StoredSession = Session & { expiresAt: number }
type Read = (key: string) => string | null | undefined | Promise<string | null | undefined>

const backend = backendFromEnv(["memory", "sqlite", "redis"])
const token = crypto.randomUUID()
const key = `session:${token}`
const stored = JSON.stringify({ ...newSession(BENCH_EMAIL), expiresAt: Date.now() + DAY_SECONDS * 1000 })

async function reader(): Promise<Read> {
  if (backend.name === "memory") {
    const map = new Map([[key, stored]])
    return (wanted) => map.get(wanted)
  }
  if (backend.name === "sqlite") {
    const { default: Database } = await import("better-sqlite3")
    const db = new Database(backend.sqlitePath)
    db.pragma("journal_mode = WAL")
    db.exec("CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
    db.prepare("INSERT OR REPLACE INTO sessions VALUES (?, ?)").run(key, stored)
    const select = db.prepare<[string], string>("SELECT value FROM sessions WHERE key = ?").pluck()
    return (wanted) => select.get(wanted)
  }
  const { Redis } = await import("ioredis")
  const redis = new Redis(backend.redisUrl)
  await redis.set(key, stored, "EX", DAY_SECONDS)
  return (wanted) => redis.get(wanted)
}

const read = await reader()

const server = createServer(async (request, response) => {
  const authorization = request.headers.authorization
  const raw =
    request.url === "/api/profile" && authorization?.startsWith("Bearer ")
      ? await read(`session:${authorization.slice(7)}`)
      : null
  const session = raw ? (JSON.parse(raw) as StoredSession) : null
  answerProfile(response, session === null || session.expiresAt <= Date.now() ? null : session)
})
server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port, token))
exitOnSigterm()
