// PostgreSQL, on a private server this section starts (initdb in a temp
// folder, a free port, fsync off as the tests run it): get and put of a
// Layeron store on the postgres driver against the raw client (pg, the same
// pool size, the same prepared statements on a table of the same schema),
// then the docs' example on PostgreSQL against Express + express-session +
// connect-pg-simple on the same server. Clients and servers alternate within
// every round, so the machine's other load falls on each alike.
import { loadavg } from "node:os"
import { kv } from "@layeron/modules"
import { postgresDriver } from "@layeron/modules/drivers/postgres"
import { PostgresServer } from "@layeron/test-support/postgres-server"
import pg from "pg"
import { cpuSeconds, type LoadResult, load, type RunningServer, startServer } from "./http-load.ts"
import { type Phase, type Plan, phase } from "./phase.ts"
import type { RunContext, Section, Target } from "./report.ts"
import { count, median, micros, millis, ratio, table } from "./stats.ts"

const PREFILL = 1000
const SESSION = { userId: "usr_100", email: "ada@example.com", roles: ["admin"], createdAt: "2026-01-01T00:00:00.000Z" }
const DAY_MS = 86_400_000
const POOL = 10

interface Client {
  name: string
  read(key: string): Promise<unknown>
  get(key: string): Promise<unknown>
  put(key: string, session: object): Promise<unknown>
  close(): Promise<void>
}

/** The raw limit: pg's pool, the driver's statements and table layout, nothing else. */
async function rawClient(server: PostgresServer): Promise<Client> {
  await server.sql(`CREATE TABLE IF NOT EXISTS bench_kv (key bytea PRIMARY KEY, value bytea NOT NULL,
    content_type text NOT NULL, metadata text, expires_at double precision, version text)`)
  const pool = new pg.Pool({ ...server.connection, max: POOL })
  const select = "SELECT value, content_type, metadata, expires_at, version FROM bench_kv WHERE key = $1"
  const upsert = `INSERT INTO bench_kv (key, value, content_type, metadata, expires_at, version)
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO UPDATE SET value = excluded.value,
    content_type = excluded.content_type, metadata = excluded.metadata, expires_at = excluded.expires_at,
    version = excluded.version`
  const read = (key: string) =>
    pool.query({ name: "raw_get", text: select, values: [Buffer.from(key)], rowMode: "array" })
  return {
    name: "raw pg (Pool of 10, named prepared statements)",
    read,
    get: async (key) => {
      const { rows } = await read(key)
      const row = rows[0] as [Buffer] | undefined
      return row === undefined ? null : JSON.parse(row[0].toString())
    },
    put: (key, session) =>
      pool.query({
        name: "raw_put",
        text: upsert,
        values: [
          Buffer.from(key),
          Buffer.from(JSON.stringify(session)),
          "application/json",
          null,
          Date.now() + DAY_MS,
          null,
        ],
      }),
    close: () => pool.end(),
  }
}

async function layeronClient(server: PostgresServer): Promise<Client> {
  const driver = await postgresDriver({ url: server.url, poolSize: POOL })
  const store = kv({ name: "user-sessions", namespace: "auth", driver, ttlSeconds: 86_400 })
  return {
    name: "Layeron storage.kv (postgres driver)",
    read: (key) => store.get(key),
    get: async (key) => (await store.get(key))?.json() ?? null,
    put: (key, session) => store.put(key, JSON.stringify(session), { contentType: "application/json" }),
    close: async () => {
      await store.close()
      await driver.close()
    },
  }
}

function readKeys(length: number): string[] {
  let seed = 12345
  return Array.from({ length }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return `session:${seed % PREFILL}`
  })
}

const OPERATIONS = ["read", "get", "put"] as const
type Operation = (typeof OPERATIONS)[number]
interface Sample {
  ops: number[]
  p50: number[]
  p99: number[]
  vsRaw: number[]
  /** This process's CPU time per operation, in ms: what the client itself costs, less swayed by the machine's load. */
  cpu: number[]
  cpuVsRaw: number[]
}
type Samples = Record<Operation, Sample>
type Measured = Phase & { cpu: number }

/** A phase, with the CPU time this process spent per operation in it. */
async function measured(plan: Plan, keys: readonly string[], run: (key: string) => unknown): Promise<Measured> {
  const before = process.cpuUsage()
  const result = await phase(plan, keys, run)
  const used = process.cpuUsage(before)
  return { ...result, cpu: (used.user + used.system) / 1000 / result.done }
}

async function storageTable(server: PostgresServer, context: RunContext, plan: Plan) {
  const clients = [await rawClient(server), await layeronClient(server)]
  const samples = clients.map(
    () =>
      Object.fromEntries(
        OPERATIONS.map((op) => [op, { ops: [], p50: [], p99: [], vsRaw: [], cpu: [], cpuVsRaw: [] }]),
      ) as unknown as Samples,
  )
  try {
    for (const client of clients)
      for (let index = 0; index < PREFILL; index++) await client.put(`session:${index}`, SESSION)
    const reads = readKeys(plan.maxOps)
    for (const client of clients) await phase({ ...plan, budgetMs: 300 }, reads, (key) => client.get(key))
    for (let round = 0; round < plan.rounds; round++) {
      const results: Record<Operation, Measured>[] = []
      for (let step = 0; step < clients.length; step++) {
        const index = (step + round) % clients.length
        const client = clients[index] as Client
        const fresh = Array.from({ length: plan.maxOps }, (_, i) => `new:${round}:${i}`)
        results[index] = {
          read: await measured(plan, reads, (key) => client.read(key)),
          get: await measured(plan, reads, (key) => client.get(key)),
          put: await measured(plan, fresh, (key) => client.put(key, SESSION)),
        }
      }
      for (const [index, result] of results.entries()) {
        for (const op of OPERATIONS) {
          const sample = (samples[index] as Samples)[op]
          sample.ops.push(result[op].opsPerSecond)
          sample.p50.push(result[op].p50)
          sample.p99.push(result[op].p99)
          const raw = (results[0] as Record<Operation, Measured>)[op]
          sample.vsRaw.push(raw.opsPerSecond / result[op].opsPerSecond)
          sample.cpu.push(result[op].cpu)
          sample.cpuVsRaw.push(result[op].cpu / raw.cpu)
        }
      }
      context.log(`postgres storage: round ${round + 1}/${plan.rounds} done`)
    }
  } finally {
    for (const client of clients) await client.close()
  }
  const rows = OPERATIONS.flatMap((op) =>
    clients.map((client, index) => {
      const sample = (samples[index] as Samples)[op]
      return [
        op,
        client.name,
        count(median(sample.ops)),
        micros(median(sample.p50)),
        micros(median(sample.p99)),
        ratio(median(sample.vsRaw)),
        micros(median(sample.cpu)),
        ratio(median(sample.cpuVsRaw)),
      ]
    }),
  )
  return { rows, layeron: samples[1] as Samples }
}

interface Server {
  name: string
  script: string
  env: Record<string, string>
}

async function httpTable(server: PostgresServer, context: RunContext, rounds: number, seconds: number) {
  const list: Server[] = [
    { name: "Layeron, the docs' example", script: "layeron.ts", env: { LAYERON_KV: server.url } },
    {
      name: "Express + express-session + connect-pg-simple",
      script: "express-session.ts",
      env: { BENCH_BACKEND: "postgres", BENCH_POSTGRES: JSON.stringify(server.connection) },
    },
  ]
  const running: RunningServer[] = []
  const samples = list.map(() => ({
    rps: [] as number[],
    p50: [] as number[],
    p99: [] as number[],
    cpu: [] as number[],
  }))
  const vsPeer: number[] = []
  try {
    for (const entry of list) running.push(await startServer(`bench/servers/${entry.script}`, entry.env))
    for (const [index, entry] of list.entries()) await loadChecked(running[index] as RunningServer, entry, 2)
    for (let round = 0; round < rounds; round++) {
      const results: LoadResult[] = []
      for (let step = 0; step < list.length; step++) {
        const index = (step + round) % list.length
        const target = running[index] as RunningServer
        const before = cpuSeconds(target.pid)
        const result = await loadChecked(target, list[index] as Server, seconds)
        const sample = samples[index] as (typeof samples)[number]
        sample.rps.push(result.requestsPerSecond)
        sample.p50.push(result.p50Ms)
        sample.p99.push(result.p99Ms)
        sample.cpu.push((cpuSeconds(target.pid) - before) / seconds)
        results[index] = result
      }
      vsPeer.push((results[0] as LoadResult).requestsPerSecond / (results[1] as LoadResult).requestsPerSecond)
      context.log(`postgres http: round ${round + 1}/${rounds} done`)
    }
  } finally {
    await Promise.all(running.map((entry) => entry.stop()))
  }
  const rows = list.map((entry, index) => {
    const sample = samples[index] as (typeof samples)[number]
    return [
      entry.name,
      count(median(sample.rps)),
      millis(median(sample.p50)),
      millis(median(sample.p99)),
      `${Math.round(median(sample.cpu) * 100)}%`,
      index === 0 ? ratio(median(vsPeer)) : "-",
    ]
  })
  return { rows, vsPeer: median(vsPeer) }
}

async function loadChecked(server: RunningServer, entry: Server, seconds: number): Promise<LoadResult> {
  const result = await load(server, { path: "/api/profile", seconds, connections: 10 })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${entry.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  return result
}

const load3 = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(", ")

export async function postgresSection(context: RunContext): Promise<Section> {
  const plan: Plan = context.quick
    ? { rounds: 3, maxOps: 5_000, budgetMs: 300 }
    : { rounds: 7, maxOps: 20_000, budgetMs: 1500 }
  const httpRounds = context.quick ? 3 : 7
  const seconds = context.quick ? 2 : 5
  const loadBefore = load3()
  const server = await new PostgresServer().start()
  try {
    const version = await server.sql("SHOW server_version")
    const storage = await storageTable(server, context, plan)
    const http = await httpTable(server, context, httpRounds, seconds)
    const read = median(storage.layeron.read.vsRaw)
    const get = median(storage.layeron.get.vsRaw)
    const cpu = median(storage.layeron.read.cpuVsRaw)
    const targets: Target[] = [
      {
        goal: "postgres get within 1.2x of the raw client (pg)",
        measured: `${ratio(read)} (${ratio(get)} with JSON parse; client CPU ${ratio(cpu)})`,
        met: read <= 1.2,
      },
      {
        goal: "the docs' example on PostgreSQL >= 1.3x Express + express-session + connect-pg-simple",
        measured: ratio(http.vsPeer),
        met: http.vsPeer >= 1.3,
      },
    ]
    const body = [
      `PostgreSQL ${version}, a private server on 127.0.0.1 (fsync off, as the tests run it), shared by both sides. ` +
        `Load average before: ${loadBefore}; after: ${load3()}.`,
      "",
      `**get and put**, one at a time, in-process; ${PREFILL} sessions prefilled; ${plan.rounds} rounds, each phase up ` +
        `to ${count(plan.maxOps)} operations or ${plan.budgetMs} ms, the two clients alternating first; medians. "read" ` +
        'stops at what the client returns (a row, a KVHandle), "get" parses the session; "x raw" is the time per ' +
        "operation over the raw client's in the same round; \"client CPU per op\" is this process's CPU time over the " +
        'operations (the client library and Layeron, not the server), and "CPU x raw" its ratio in the same round: ' +
        "what Layeron adds, less swayed by the machine's other load than the wall time.",
      "",
      table(["operation", "client", "ops/s", "p50", "p99", "x raw", "client CPU per op", "CPU x raw"], storage.rows),
      "",
      `**GET /api/profile** with a valid session, 10 connections, ${httpRounds} rounds of ${seconds} s per server, the ` +
        'order alternating; medians. "x peer" is the median of each round\'s ratio.',
      "",
      table(["server", "req/s", "p50", "p99", "server CPU", "x peer"], http.rows),
    ].join("\n")
    return {
      title: "PostgreSQL: storage.kv against raw pg, the example against Express + connect-pg-simple",
      body,
      targets,
    }
  } finally {
    await server.dispose()
  }
}
