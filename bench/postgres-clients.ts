// Chooses the PostgreSQL client for the storage.kv driver by measurement: a
// session read (SELECT by key) and write (INSERT ... ON CONFLICT) with `pg`
// (node-postgres, its Pool, named prepared statements, array rows) and
// `postgres` (porsager, prepared statements by default), each with a pool of
// 10 connections, against one private server, the clients alternated in
// rounds so that the machine's load falls on both alike.
//   node --import tsx bench/postgres-clients.ts
import { loadavg } from "node:os"
import { performance } from "node:perf_hooks"
import { PostgresServer } from "@layeron/test-support/postgres-server"
import pg from "pg"
import postgres from "postgres"

interface Client {
  name: string
  get(key: Buffer): Promise<unknown>
  put(key: Buffer, value: Buffer): Promise<unknown>
  close(): Promise<void>
}

const ROUNDS = Number(process.env.ROUNDS ?? 5)
const SEQUENTIAL = 2_000
const PARALLEL_TOTAL = 20_000
const IN_FLIGHT = 50
const POOL = 10
const VALUE = Buffer.alloc(220, 7)
const KEYS = Array.from({ length: 1000 }, (_, index) => Buffer.from(`auth/user-sessions/session:${index}`))

const SCHEMA = `CREATE TABLE IF NOT EXISTS bench_kv (key bytea PRIMARY KEY, value bytea NOT NULL,
  content_type text NOT NULL, expires_at bigint)`
const GET = "SELECT value, content_type, expires_at FROM bench_kv WHERE key = $1"
const PUT = `INSERT INTO bench_kv (key, value, content_type, expires_at) VALUES ($1, $2, 'application/json', $3)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value, content_type = excluded.content_type,
  expires_at = excluded.expires_at`

type Connection = PostgresServer["connection"]

function pgClient(connection: Connection): Client {
  const pool = new pg.Pool({ ...connection, max: POOL })
  return {
    name: "pg",
    get: (key) => pool.query({ name: "get", text: GET, values: [key], rowMode: "array" }),
    put: (key, value) => pool.query({ name: "put", text: PUT, values: [key, value, Date.now() + 86_400_000] }),
    close: () => pool.end(),
  }
}

function postgresClient(connection: Connection): Client {
  const sql = postgres({ ...connection, max: POOL, onnotice: () => undefined })
  return {
    name: "postgres",
    get: (key) => sql.unsafe(GET, [key], { prepare: true }).values(),
    put: (key, value) => sql.unsafe(PUT, [key, value, Date.now() + 86_400_000], { prepare: true }),
    close: () => sql.end({ timeout: 1 }),
  }
}

async function sequential(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  for (let index = 0; index < SEQUENTIAL; index++) await run()
  return ((performance.now() - start) / SEQUENTIAL) * 1000
}

async function parallel(run: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < PARALLEL_TOTAL) await run(next++)
    }),
  )
  return PARALLEL_TOTAL / ((performance.now() - start) / 1000)
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

const server = await new PostgresServer().start()
try {
  await server.sql(SCHEMA)
  const clients = [pgClient(server.connection), postgresClient(server.connection)]
  for (const client of clients) for (const key of KEYS) await client.put(key, VALUE)
  const results = new Map<string, Record<string, number[]>>()
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? clients : [...clients].reverse()
    for (const client of order) {
      const row = results.get(client.name) ?? { getUs: [], putUs: [], getPerS: [], putPerS: [] }
      results.set(client.name, row)
      row.getUs?.push(await sequential(() => client.get(KEYS[7] as Buffer)))
      row.putUs?.push(await sequential(() => client.put(KEYS[8] as Buffer, VALUE)))
      row.getPerS?.push(await parallel((index) => client.get(KEYS[index % KEYS.length] as Buffer)))
      row.putPerS?.push(await parallel((index) => client.put(KEYS[index % KEYS.length] as Buffer, VALUE)))
    }
  }
  for (const client of clients) await client.close()
  console.log(
    `| client | get, one at a time | put, one at a time | get, ${IN_FLIGHT} in flight | put, ${IN_FLIGHT} in flight |`,
  )
  console.log("| --- | --- | --- | --- | --- |")
  for (const [name, row] of results) {
    const us = (values: number[] | undefined) => `${median(values ?? []).toFixed(0)} us`
    const rate = (values: number[] | undefined) => `${Math.round(median(values ?? [])).toLocaleString("en")}/s`
    console.log(`| ${name} | ${us(row.getUs)} | ${us(row.putUs)} | ${rate(row.getPerS)} | ${rate(row.putPerS)} |`)
  }
  console.log(
    `\nMedians of ${ROUNDS} alternated rounds, pool of ${POOL}; load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(", ")}.`,
  )
} finally {
  await server.dispose()
}
