// The atomic operations (increment, add, getAndDelete) of a strong store,
// one at a time in-process, against the raw client doing the same atomically:
// INCR / SET NX / GETDEL on Redis; on SQLite the same statements on the same
// table (an IMMEDIATE transaction for increment, an upsert for add, DELETE ...
// RETURNING for getAndDelete); on memory, a Map. Called by storage.ts.
import { join } from "node:path"
import { kv } from "@layeron/modules"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { redisDriver } from "@layeron/modules/drivers/redis"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import Database from "better-sqlite3"
import { Redis } from "ioredis"
import { type Phase, type Plan, phase } from "./phase.ts"
import type { RunContext, Section, Target } from "./report.ts"
import { count, median, micros, ratio, table } from "./stats.ts"
import type { BackendName } from "./storage-clients.ts"

export interface AtomicClient {
  name: string
  kind: "raw" | "layeron"
  /** Adds 1 to a counter that expires a minute after it was created. */
  increment(key: string): unknown
  /** Writes a token only if the key is absent. */
  add(key: string): unknown
  /** Takes the token: reads and removes it. */
  getAndDelete(key: string): unknown
  close(): Promise<void>
}

const OPERATIONS = ["increment", "add", "getAndDelete"] as const
type Operation = (typeof OPERATIONS)[number]
/** Counters the increments cycle over, as a rate limiter's clients. */
const COUNTERS = 100

const MINUTE_MS = 60_000
const TOKEN = JSON.stringify({ userId: "usr_100", purpose: "email-verification" })

/** Layeron's table, expiry index and pragmas: each write maintains the same index as the store's. */
function rawSqlite(path: string): AtomicClient {
  const db = new Database(path)
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  db.exec(`CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL,
    content_type TEXT NOT NULL, metadata TEXT, expires_at INTEGER, version TEXT) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS kv_expires_at ON kv (expires_at) WHERE expires_at IS NOT NULL`)
  const select = db.prepare<[string], { value: Buffer; expires_at: number | null }>(
    "SELECT value, expires_at FROM kv WHERE key = ?",
  )
  const write = db.prepare("INSERT OR REPLACE INTO kv VALUES (?, ?, 'text/plain;charset=UTF-8', NULL, ?, NULL)")
  const increment = db
    .transaction((key: string, now: number) => {
      const row = select.get(key)
      const live = row !== undefined && (row.expires_at === null || row.expires_at > now)
      const count = live ? Number(row.value.toString()) + 1 : 1
      write.run(key, Buffer.from(String(count)), live ? row.expires_at : now + MINUTE_MS)
      return count
    })
    .immediate.bind(null)
  // Over an expired row, add replaces all of it, as the store's does.
  const add = db.prepare(`INSERT INTO kv VALUES (?, ?, 'application/json', NULL, ?, NULL)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, content_type = excluded.content_type,
      metadata = NULL, expires_at = excluded.expires_at, version = NULL
    WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= ?`)
  // An expired token is not handed out: the row's expiry is read back and checked, as the store does.
  const take = db.prepare<[string], { value: Buffer; expires_at: number | null }>(
    "DELETE FROM kv WHERE key = ? RETURNING value, expires_at",
  )
  const token = Buffer.from(TOKEN)
  return {
    name: "raw better-sqlite3 (same statements)",
    kind: "raw",
    increment: (key) => increment(key, Date.now()),
    add: (key) => {
      const now = Date.now()
      return add.run(key, token, now + MINUTE_MS, now).changes > 0
    },
    getAndDelete: (key) => {
      const row = take.get(key)
      return row !== undefined && (row.expires_at === null || row.expires_at > Date.now()) ? row.value : null
    },
    close: async () => {
      db.close()
    },
  }
}

async function connectRaw(url: string) {
  const { port, hostname } = new URL(url)
  const redis = new Redis({ host: hostname, port: Number(port), enableOfflineQueue: false, commandTimeout: 800 })
  await new Promise((resolve) => redis.once("ready", resolve))
  return redis
}

/**
 * The raw limit: what a careful hand-written rate limiter sends for a counter
 * that expires a minute after it was created, as the store's does: INCR and,
 * on creation, PEXPIRE, in one two-line script: atomic, one round trip, and
 * cheaper than a MULTI of INCR and PEXPIRE NX (100 against 115 µs a call in
 * two runs of bench/atomic-micro.ts).
 * Then SET NX PX and GETDEL.
 */
async function rawRedis(url: string): Promise<AtomicClient> {
  const redis = await connectRaw(url)
  redis.defineCommand("counter", {
    numberOfKeys: 1,
    lua: `local count = redis.call("INCR", KEYS[1])
if count == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[1]) end
return count`,
  })
  const counter = (redis as unknown as { counter(key: string, ms: number): Promise<number> }).counter.bind(redis)
  return {
    name: "raw ioredis (a 2-line script: INCR, PEXPIRE when new / SET NX PX / GETDEL), commandTimeout 800 ms as in the driver",
    kind: "raw",
    increment: (key) => counter(key, MINUTE_MS),
    add: (key) => redis.set(key, TOKEN, "PX", MINUTE_MS, "NX"),
    getAndDelete: (key) => redis.getdelBuffer(key),
    close: async () => {
      redis.disconnect()
    },
  }
}

/** INCR alone, as the list of commands reads: it keeps no expiry, so it does less than the store's counter. */
async function bareIncr(url: string): Promise<AtomicClient> {
  const redis = await connectRaw(url)
  return {
    name: "raw ioredis, increment as a bare INCR (no expiry: less than the store does)",
    kind: "raw",
    increment: (key) => redis.incr(`bare:${key}`),
    add: (key) => redis.set(`bare:${key}`, TOKEN, "PX", MINUTE_MS, "NX"),
    getAndDelete: (key) => redis.getdelBuffer(`bare:${key}`),
    close: async () => {
      redis.disconnect()
    },
  }
}

function rawMap(): AtomicClient {
  const map = new Map<string, { value: string; expiresAt: number }>()
  return {
    name: "raw Map",
    kind: "raw",
    increment: (key) => {
      const now = Date.now()
      const entry = map.get(key)
      if (entry === undefined || entry.expiresAt <= now) map.set(key, { value: "1", expiresAt: now + MINUTE_MS })
      else entry.value = String(Number(entry.value) + 1)
    },
    add: (key) => {
      const now = Date.now()
      const entry = map.get(key)
      if (entry !== undefined && entry.expiresAt > now) return false
      map.set(key, { value: TOKEN, expiresAt: now + MINUTE_MS })
      return true
    },
    getAndDelete: (key) => {
      const entry = map.get(key)
      map.delete(key)
      return entry?.value ?? null
    },
    close: async () => {},
  }
}

async function layeron(backend: BackendName, dir: string, redisUrl: string): Promise<AtomicClient> {
  const driver =
    backend === "sqlite"
      ? sqliteDriver({ path: join(dir, "atomic-layeron.db") })
      : backend === "memory"
        ? memoryDriver()
        : await redisDriver({ url: redisUrl })
  const store = kv({ name: "rate", namespace: "bench", driver, consistency: "strong", ttlSeconds: 60 })
  return {
    name: "Layeron storage.kv, consistency: strong",
    kind: "layeron",
    increment: (key) => store.increment(key),
    add: (key) => store.add(key, TOKEN),
    getAndDelete: (key) => store.getAndDelete(key),
    close: async () => {
      await store.close()
      await driver.close()
    },
  }
}

/** The raw limit first, then Layeron (on Redis, then the bare INCR). */
export async function clientsFor(backend: BackendName, dir: string, redisUrl: string): Promise<AtomicClient[]> {
  const raw =
    backend === "sqlite"
      ? rawSqlite(join(dir, "atomic-raw.db"))
      : backend === "redis"
        ? await rawRedis(redisUrl)
        : rawMap()
  const clients = [raw, await layeron(backend, dir, redisUrl)]
  return backend === "redis" ? [...clients, await bareIncr(redisUrl)] : clients
}

type Samples = Record<Operation, { ops: number[]; p50: number[]; p99: number[]; vsRaw: number[] }>

/**
 * Each round, each client in a rotating order: increments over the counters,
 * adds of fresh keys, then getAndDelete of the keys it added.
 */
async function measure(backend: BackendName, context: RunContext, plan: Plan) {
  const clients = await clientsFor(backend, context.dir, context.redis.url)
  try {
    const counters = Array.from({ length: plan.maxOps }, (_, index) => `rate:${index % COUNTERS}`)
    for (const client of clients) await phase({ ...plan, budgetMs: 100 }, counters, (key) => client.increment(key))
    const samples = clients.map(
      () =>
        Object.fromEntries(
          OPERATIONS.map((op) => [op, { ops: [], p50: [], p99: [], vsRaw: [] }]),
        ) as unknown as Samples,
    )
    for (let round = 0; round < plan.rounds; round++) {
      const results: Record<Operation, Phase>[] = []
      for (let step = 0; step < clients.length; step++) {
        const index = (step + round) % clients.length
        const client = clients[index] as AtomicClient
        const increment = await phase(plan, counters, (key) => client.increment(key))
        const tokens = Array.from({ length: plan.maxOps }, (_, i) => `token:${round}:${i}`)
        const add = await phase(plan, tokens, (key) => client.add(key))
        const getAndDelete = await phase({ ...plan, maxOps: add.done }, tokens, (key) => client.getAndDelete(key))
        results[index] = { increment, add, getAndDelete }
      }
      for (const [index, result] of results.entries()) {
        for (const op of OPERATIONS) {
          const sample = (samples[index] as Samples)[op]
          sample.ops.push(result[op].opsPerSecond)
          sample.p50.push(result[op].p50)
          sample.p99.push(result[op].p99)
          sample.vsRaw.push((results[0] as Record<Operation, Phase>)[op].opsPerSecond / result[op].opsPerSecond)
        }
      }
      context.log(`storage atomic ${backend}: round ${round + 1}/${plan.rounds} done`)
    }
    return { names: clients.map((client) => client.name), samples }
  } finally {
    for (const client of clients) await client.close()
  }
}

/** The atomic operations' tables, one per backend, and the issue's target for each (within 1.5x of raw). */
export async function atomicTables(context: RunContext, plan: Plan): Promise<{ parts: string[]; targets: Target[] }> {
  const parts = [
    "",
    '**Atomic operations** (a `consistency: "strong"` store with a 60 s TTL): `increment` cycles over ' +
      `${COUNTERS} counters, \`add\` writes fresh keys, \`getAndDelete\` takes the keys just added. The raw clients ` +
      "do the same atomically: Redis `INCR` with a `PEXPIRE` when it creates the counter, in a two-line script (the " +
      "counter keeps the expiry it was created with, as the store's does), `SET NX PX` and `GETDEL`, and a bare " +
      "`INCR` (no expiry) beside them; " +
      "SQLite the store's statements on the same table (an IMMEDIATE transaction, an upsert, `DELETE ... RETURNING` " +
      "with the expiry checked, so neither hands out an expired token); " +
      "memory a `Map`.",
  ]
  const targets: Target[] = []
  for (const backend of ["sqlite", "memory", "redis"] as const) {
    const { names, samples } = await measure(backend, context, plan)
    const rows: string[][] = []
    for (const op of OPERATIONS) {
      for (const [index, name] of names.entries()) {
        const sample = (samples[index] as Samples)[op]
        rows.push([
          op,
          name,
          count(median(sample.ops)),
          micros(median(sample.p50)),
          micros(median(sample.p99)),
          ratio(median(sample.vsRaw)),
        ])
      }
      // The issue sets the target against Redis and SQLite; a bare Map is no limit a store can come near.
      const layeron = median((samples[1] as Samples)[op].vsRaw)
      if (backend === "memory") continue
      targets.push({
        goal: `${backend} ${op} within 1.5x of the raw client`,
        measured: ratio(layeron),
        met: layeron <= 1.5,
      })
    }
    parts.push("", `*${backend}, atomic*`, "", table(["operation", "client", "ops/s", "p50", "p99", "x raw"], rows))
    if (backend === "redis") {
      // Layeron's increment against the bare INCR, round by round: the figure the list of commands names.
      const [raw, layeron, bare] = samples as [Samples, Samples, Samples]
      const vsBare = layeron.increment.ops.map((ops, round) => (bare.increment.ops[round] as number) / ops)
      const bareVsRaw = bare.increment.ops.map((ops, round) => (raw.increment.ops[round] as number) / ops)
      parts.push(
        "",
        `Redis \`increment\` against a bare \`INCR\`: ${ratio(median(vsBare))} ` +
          `(the raw client's script takes ${ratio(1 / median(bareVsRaw))} of a bare INCR's time).`,
      )
    }
  }
  return { parts, targets }
}

/** The atomic tables alone (`--only atomic`): the storage section also holds them. */
export async function atomicSection(context: RunContext): Promise<Section> {
  const plan: Plan = context.quick
    ? { rounds: 2, maxOps: 20_000, budgetMs: 100 }
    : { rounds: 5, maxOps: 50_000, budgetMs: 600 }
  const { parts, targets } = await atomicTables(context, plan)
  return { title: "Storage: atomic operations", body: parts.join("\n"), targets }
}
