// The key-value clients the storage benchmark compares, each behind one small
// interface: Layeron's store on a driver, the raw client as the limit
// (better-sqlite3 prepared statements, ioredis, a Map), Keyv and unstorage.
// Every client stores the session object and reads it back as an object; the
// raw clients and Layeron also have a `read` that stops at the stored bytes.
import { join } from "node:path"
import { kv } from "@layeron/modules"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { redisDriver } from "@layeron/modules/drivers/redis"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import Database from "better-sqlite3"
import { Redis } from "ioredis"
import type Keyv from "keyv"
import type { Storage } from "unstorage"

export type BackendName = "sqlite" | "memory" | "redis"

export interface Client {
  name: string
  kind: "raw" | "layeron" | "peer"
  /** Reads the session back as an object. */
  get(key: string): unknown
  /** Reads the stored bytes only (no JSON parse); raw clients and Layeron. */
  read?(key: string): unknown
  put(key: string, session: object): unknown
  delete(key: string): unknown
  close(): Promise<void>
}

const DAY_MS = 86_400_000
const JSON_TYPE = { contentType: "application/json" }

/** The schema and pragmas of Layeron's sqlite driver: the raw limit does the same work on the same table. */
function rawSqlite(path: string): Client {
  const db = new Database(path)
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  db.exec(`CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL,
    content_type TEXT NOT NULL, metadata TEXT, expires_at INTEGER) WITHOUT ROWID`)
  const select = db.prepare<[string], { value: Buffer; expires_at: number | null }>(
    "SELECT value, expires_at FROM kv WHERE key = ?",
  )
  const insert = db.prepare("INSERT OR REPLACE INTO kv VALUES (?, ?, ?, NULL, ?)")
  const remove = db.prepare("DELETE FROM kv WHERE key = ?")
  return {
    name: "raw better-sqlite3 (prepared statements)",
    kind: "raw",
    read: (key) => select.get(key),
    get: (key) => {
      const row = select.get(key)
      return row === undefined ? null : JSON.parse(row.value.toString())
    },
    put: (key, session) =>
      insert.run(key, Buffer.from(JSON.stringify(session)), "application/json", Date.now() + DAY_MS),
    delete: (key) => remove.run(key),
    close: async () => {
      db.close()
    },
  }
}

/**
 * The raw ioredis client; with `commandTimeoutMs`, the driver's per-command timeout too (what that safety costs on
 * its own). The two differ in nothing else.
 */
async function rawRedis(url: string, commandTimeoutMs?: number): Promise<Client> {
  const { port, hostname } = new URL(url)
  const redis = new Redis({
    host: hostname,
    port: Number(port),
    enableOfflineQueue: false,
    ...(commandTimeoutMs === undefined ? {} : { commandTimeout: commandTimeoutMs }),
  })
  await new Promise((resolve) => redis.once("ready", resolve))
  return {
    name:
      commandTimeoutMs === undefined
        ? "raw ioredis (GET/SET/DEL)"
        : `raw ioredis, commandTimeout ${commandTimeoutMs} ms as in the driver`,
    kind: "raw",
    read: (key) => redis.getBuffer(key),
    get: async (key) => {
      const value = await redis.get(key)
      return value === null ? null : JSON.parse(value)
    },
    put: (key, session) => redis.set(key, JSON.stringify(session), "PX", DAY_MS),
    delete: (key) => redis.del(key),
    close: async () => {
      redis.disconnect()
    },
  }
}

function rawMap(): Client {
  const map = new Map<string, string>()
  return {
    name: "raw Map",
    kind: "raw",
    read: (key) => map.get(key),
    get: (key) => {
      const value = map.get(key)
      return value === undefined ? null : JSON.parse(value)
    },
    put: (key, session) => map.set(key, JSON.stringify(session)),
    delete: (key) => map.delete(key),
    close: async () => {},
  }
}

async function layeron(backend: BackendName, dir: string, redisUrl: string, cache = false): Promise<Client> {
  const driver =
    backend === "sqlite"
      ? sqliteDriver({ path: join(dir, "storage-layeron.db") })
      : backend === "memory"
        ? memoryDriver()
        : await redisDriver({ url: redisUrl, cache })
  const store = kv({ name: "user-sessions", namespace: "auth", ttlSeconds: 86_400, driver })
  return {
    name: cache ? "Layeron storage.kv, `?cache=on`" : "Layeron storage.kv",
    kind: "layeron",
    read: (key) => store.get(key),
    get: async (key) => (await store.get(key))?.json() ?? null,
    put: (key, session) => store.put(key, JSON.stringify(session), JSON_TYPE),
    delete: (key) => store.delete(key),
    close: async () => {
      await store.close()
      await driver.close()
    },
  }
}

async function keyv(backend: BackendName, dir: string, redisUrl: string): Promise<Client> {
  let store: Keyv
  if (backend === "sqlite") {
    const { createKeyv } = await import("@keyv/sqlite")
    store = createKeyv(`sqlite://${join(dir, "storage-keyv.db")}`)
  } else if (backend === "redis") {
    const { createKeyv } = await import("@keyv/redis")
    store = createKeyv(redisUrl, { namespace: "sessions" })
  } else {
    const { default: KeyvClass } = await import("keyv")
    store = new KeyvClass()
  }
  const sqliteNote = backend === "sqlite" ? " (sqlite3)" : backend === "redis" ? " (node-redis)" : " (Map)"
  return {
    name: `Keyv${sqliteNote}`,
    kind: "peer",
    get: (key) => store.get(key),
    put: (key, session) => store.set(key, session, DAY_MS),
    delete: (key) => store.delete(key),
    close: () => store.disconnect(),
  }
}

async function unstorage(backend: BackendName, dir: string, redisUrl: string): Promise<Client> {
  const { createStorage } = await import("unstorage")
  let storage: Storage
  let note: string
  if (backend === "sqlite") {
    const { createDatabase } = await import("db0")
    const { default: sqlite } = await import("db0/connectors/better-sqlite3")
    const { default: db0Driver } = await import("unstorage/drivers/db0")
    storage = createStorage({
      driver: db0Driver({ database: createDatabase(sqlite({ path: join(dir, "storage-unstorage.db") })) }),
    })
    note = " (db0 + better-sqlite3)"
  } else if (backend === "redis") {
    const { default: redisDriver } = await import("unstorage/drivers/redis")
    storage = createStorage({ driver: redisDriver({ url: redisUrl, base: "sessions" }) })
    note = " (ioredis)"
  } else {
    storage = createStorage()
    note = " (memory)"
  }
  return {
    name: `unstorage${note}`,
    kind: "peer",
    get: (key) => storage.getItem(key),
    put: (key, session) => storage.setItem(key, session as Record<string, unknown>, { ttl: 86_400 }),
    delete: (key) => storage.removeItem(key),
    close: () => storage.dispose(),
  }
}

/** Every client on one backend, the raw limit first. */
export async function clientsFor(backend: BackendName, dir: string, redisUrl: string): Promise<Client[]> {
  const raw =
    backend === "sqlite"
      ? rawSqlite(join(dir, "storage-raw.db"))
      : backend === "redis"
        ? await rawRedis(redisUrl)
        : rawMap()
  const clients = [raw]
  if (backend === "redis") clients.push(await rawRedis(redisUrl, 800))
  clients.push(await layeron(backend, dir, redisUrl))
  if (backend === "redis") clients.push(await layeron(backend, dir, redisUrl, true))
  clients.push(await keyv(backend, dir, redisUrl), await unstorage(backend, dir, redisUrl))
  return clients
}
