import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from "pg"
import { type Clock, systemClock } from "../../clock.js"
import { readCounter } from "../../counter.js"
import type {
  AtomicKVDriver,
  DriverListOptions,
  IncrementRefusal,
  ListedEntry,
  ListPage,
  StoredEntry,
} from "../../driver.js"
import { KVError } from "../../errors.js"
import { prefixUpperBound } from "../../key-order.js"
import { checkOptionNames, describeValue, isOptionBag } from "../../options.js"
import { DEFAULT_POOL_SIZE, openPool } from "./connection.js"
import { bytesMoved, Watchdog } from "./deadline.js"
import { postgresError } from "./errors.js"
import { CREATE_SQL, READ_MARK_SQL, SCHEMA_LOCK, SWEEP_LOCK, schemaAction } from "./schema.js"
import { type EntryRow, entryValues, keyBytes, SQL, type Statement, toEntry } from "./sql.js"
import { describePostgres, type PostgresConfig, parsePostgresUrl } from "./url.js"

export interface PostgresDriverOptions {
  /** `postgres://[user[:password]@]host[:port][/database][?sslmode=require]`, or `postgresql://...`. */
  url: string
  /** How long connecting, waiting for a free connection, or a query may take before `KV_UNAVAILABLE` (default 800 ms). */
  timeoutMs?: number
  /** Connections this process keeps at most (default: the URL's `?pool=N`, else 10). */
  poolSize?: number
  /** How often expired rows are removed (default 60 s); one process at a time sweeps. */
  sweepIntervalMs?: number
  /** Rows one statement of a sweep removes (default 500). */
  sweepBatchSize?: number
  /** What the sweep calls now. */
  clock?: Clock
}

const DEFAULT_TIMEOUT_MS = 800
/**
 * How long a write of a large value may go quiet beyond the timeout while
 * the server stores it: 1 ms per 8 KiB, 3.2 s for 25 MiB (a 25 MiB put went
 * quiet for over 800 ms on a loaded 2-core machine).
 */
const WRITE_BYTES_PER_MS = 8192

type ListRow = [key: Buffer, expiresAt: number | null, metadata: string | null]
/** One query under the deadline; `rowMode: "array"` gives rows as arrays, in column order. */
type Run = <Row extends object = object>(
  config: QueryConfig & { rowMode?: "array" },
  written?: number,
) => Promise<QueryResult<Row>>

/**
 * Entries in one PostgreSQL table (schema.ts), shared by every app process
 * on the database: a get, put or delete is one prepared statement, one round
 * trip; getMany one query; the atomic operations one statement each, or one
 * transaction holding the row's lock (increment). Expired rows are left out
 * of every read and swept in small batches by one process at a time.
 */
export class PostgresDriver implements AtomicKVDriver {
  readonly name = "postgres"
  /** Where it points, for messages: never the password. */
  readonly target: string
  private readonly pool: Pool
  private readonly password: string | undefined
  private readonly clock: Clock
  private readonly timeoutMs: number
  private readonly batchSize: number
  private readonly watchdog: Watchdog
  private readonly timer: ReturnType<typeof setInterval>
  private schemaReady = false
  /** Idle connections promised to calls that pg-pool has not handed them yet. */
  private claimedIdle = 0
  private schemaPending: Promise<void> | undefined
  private sweeping: Promise<number> | undefined
  private closed = false

  constructor(pool: Pool, config: PostgresConfig, options: PostgresDriverOptions) {
    this.pool = pool
    this.target = describePostgres(config)
    this.password = config.password
    this.clock = options.clock ?? systemClock
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.batchSize = options.sweepBatchSize ?? 500
    this.watchdog = new Watchdog(this.timeoutMs)
    pool.on("connect", (client) => {
      // A connection that opens shows the server alive, as a query that finishes does.
      this.watchdog.finished++
      // A connection that ends while a call holds it would emit "error" with no listener, which
      // ends the process; the call learns of it from its query.
      client.on("error", () => undefined)
    })
    // A failed sweep (the database down) is tried again at the next interval; reads leave expired
    // rows out meanwhile, and it must never become an unhandled rejection.
    this.timer = setInterval(() => this.sweep().catch(() => undefined), options.sweepIntervalMs ?? 60_000)
    this.timer.unref()
  }

  /** A failure as a KVError naming this database and the operation, never the password. */
  private error(error: unknown, what: string): KVError {
    return postgresError(error, this.target, what, this.password)
  }

  /** Runs one prepared statement; rows as arrays. `written`: the bytes of a value it stores. */
  private query<Row>(
    what: string,
    statement: Statement,
    values: unknown[],
    written = 0,
  ): Promise<QueryResult<Row & unknown[]>> {
    return this.withClient(what, (run) =>
      run<Row & unknown[]>({ name: statement.name, text: statement.text, values, rowMode: "array" }, written),
    )
  }

  /**
   * Runs `body` on one connection of the pool, each of its queries under the
   * progress deadline (deadline.ts). On any failure the connection is not
   * given back but ended, which also rolls back what it had begun and
   * releases its advisory locks on the server: no connection in an unknown
   * state returns to the pool.
   */
  private async withClient<T>(what: string, body: (run: Run) => Promise<T>, schema = true): Promise<T> {
    if (schema && !this.schemaReady) await this.ensureSchema(what)
    let client: PoolClient
    try {
      client = await this.acquire()
    } catch (error) {
      throw this.error(error, what)
    }
    const moved = bytesMoved(client)
    const run = (<Row extends object>(config: QueryConfig, written = 0) =>
      this.watchdog.watch(client.query<Row & QueryResultRow>(config), moved, true, written / WRITE_BYTES_PER_MS)) as Run
    try {
      const result = await body(run)
      client.release()
      return result
    } catch (error) {
      client.release(true)
      // The table was dropped under a running app: the next call creates it again.
      if ((error as { code?: unknown }).code === "42P01") this.forgetSchema()
      throw this.error(error, what)
    }
  }

  private forgetSchema(): void {
    this.schemaReady = false
    this.schemaPending = undefined
  }

  async get(key: string): Promise<StoredEntry | null> {
    const { rows } = await this.query<EntryRow>(`get ${key}`, SQL.get, [keyBytes(key)])
    const row = rows[0]
    return row === undefined ? null : toEntry(row)
  }

  async getMany(keys: readonly string[]): Promise<(StoredEntry | null)[]> {
    if (keys.length === 0) return []
    const bytes = keys.map(keyBytes)
    const { rows } = await this.query<[Buffer, ...EntryRow]>(`getMany of ${keys.length} keys`, SQL.getMany, [bytes])
    const found = new Map<string, StoredEntry>()
    for (const [key, ...entry] of rows) found.set(key.toString("latin1"), toEntry(entry as EntryRow))
    return bytes.map((key) => found.get(key.toString("latin1")) ?? null)
  }

  async put(key: string, entry: StoredEntry): Promise<void> {
    await this.query(`put ${key}`, SQL.put, [keyBytes(key), ...entryValues(entry)], entry.value.byteLength)
  }

  async delete(key: string): Promise<void> {
    await this.query(`delete ${key}`, SQL.delete, [keyBytes(key)])
  }

  async list(options: DriverListOptions): Promise<ListPage> {
    const { prefix, limit, now } = options
    const after = keyBytes(options.cursor ?? "")
    const upper = prefixUpperBound(prefix)
    const what = `list ${prefix}`
    const { rows } =
      upper === null
        ? await this.query<ListRow>(what, SQL.listUnbounded, [keyBytes(prefix), after, now, limit + 1])
        : await this.query<ListRow>(what, SQL.listBounded, [keyBytes(prefix), keyBytes(upper), after, now, limit + 1])
    const entries: ListedEntry[] = rows
      .slice(0, limit)
      .map(([key, expiresAt, metadata]) => ({ key: key.toString("utf8"), expiresAt, metadata }))
    const last = entries[entries.length - 1]
    return { entries, cursor: rows.length > limit && last !== undefined ? last.key : null }
  }

  // The atomic operations. A single statement is atomic on its own: an UPDATE or DELETE that waits
  // for another transaction's lock checks its WHERE again on the row as that one left it.

  async putIf(key: string, entry: StoredEntry, expected: string | null, now: number): Promise<boolean> {
    const what = `putIf ${key}`
    const result =
      expected === null
        ? await this.query(
            what,
            SQL.insertIfAbsent,
            [keyBytes(key), ...entryValues(entry), now],
            entry.value.byteLength,
          )
        : await this.query(
            what,
            SQL.updateIfVersion,
            [keyBytes(key), ...entryValues(entry), expected, now],
            entry.value.byteLength,
          )
    return (result.rowCount ?? 0) > 0
  }

  async deleteIf(key: string, expected: string, now: number): Promise<boolean> {
    const result = await this.query(`deleteIf ${key}`, SQL.deleteIfVersion, [keyBytes(key), expected, now])
    return (result.rowCount ?? 0) > 0
  }

  async getAndDelete(key: string): Promise<StoredEntry | null> {
    const { rows } = await this.query<EntryRow>(`getAndDelete ${key}`, SQL.take, [keyBytes(key)])
    const row = rows[0]
    return row === undefined ? null : toEntry(row)
  }

  /** One statement (sql.ts): the counter rule applied on the server, under the row's lock. */
  async increment(key: string, delta: number, created: StoredEntry, now: number): Promise<number | IncrementRefusal> {
    const values = [keyBytes(key), ...entryValues(created), delta, now]
    const { rows } = await this.query<[Buffer, boolean]>(`increment ${key}`, SQL.increment, values)
    const [value, written] = rows[0] ?? [Buffer.alloc(0), false]
    const count = readCounter(value)
    if (written && count !== null) return count
    return count === null ? "not-a-counter" : "out-of-range"
  }

  /**
   * A connection: at once when one is idle; else the wait (for a connection
   * to open, or to come free) is watched, so it fails only when no query
   * finishes and no connection opens meanwhile. One that arrives after that
   * goes back to the pool.
   */
  private acquire(): Promise<PoolClient> {
    const pool = this.pool
    // pg-pool hands idle connections out a tick later: calls in the same tick count as taking them.
    if (pool.idleCount > this.claimedIdle) {
      this.claimedIdle++
      return pool.connect().finally(() => {
        this.claimedIdle--
      })
    }
    const pending = pool.connect()
    return this.watchdog
      .watch(pending, () => this.watchdog.finished, false)
      .catch((error: unknown) => {
        pending.then(
          (late) => late.release(),
          () => undefined,
        )
        throw error
      })
  }

  /** Creates the table on first use; until it succeeds, every call tries again. */
  private ensureSchema(what: string): Promise<void> {
    this.schemaPending ??= this.createSchema().then(
      () => {
        this.schemaReady = true
      },
      (error: unknown) => {
        this.schemaPending = undefined
        throw error
      },
    )
    return this.schemaPending.catch((error: unknown) => {
      throw this.error(error, what)
    })
  }

  private createSchema(): Promise<void> {
    return this.withClient(
      "open",
      async (run) => {
        const check = async () => {
          const { rows } = await run<{ mark: string | null; present: boolean }>({ text: READ_MARK_SQL })
          const action = schemaAction(rows[0]?.present ?? false, rows[0]?.mark ?? null)
          if (typeof action === "object") {
            throw new KVError("KV_CONFIG_INVALID", `${this.target} cannot be used: ${action.refuse}`)
          }
          return action
        }
        if ((await check()) === "ready") return
        await run({ text: "BEGIN" })
        // Processes starting together: the first creates, the others wait for it, then find it made.
        await run({ text: "SELECT pg_advisory_xact_lock($1)", values: [SCHEMA_LOCK] })
        if ((await check()) === "create") for (const statement of CREATE_SQL) await run({ text: statement })
        await run({ text: "COMMIT" })
      },
      false,
    )
  }

  /**
   * Removes expired rows, a batch per statement, and returns how many. Only
   * one process sweeps at a time: the one that gets the advisory lock; the
   * others skip this round. Batches skip rows a transaction holds.
   */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = undefined
    })
    return this.sweeping
  }

  private async sweepOnce(): Promise<number> {
    if (this.closed) return 0
    return this.withClient("sweep", async (run) => {
      const { rows } = await run<[boolean]>({
        text: "SELECT pg_try_advisory_lock($1)",
        values: [SWEEP_LOCK],
        rowMode: "array",
      })
      if (rows[0]?.[0] !== true) return 0
      let removed = 0
      for (;;) {
        const result = await run({
          name: SQL.sweep.name,
          text: SQL.sweep.text,
          values: [this.clock.now(), this.batchSize],
        })
        removed += result.rowCount ?? 0
        if ((result.rowCount ?? 0) < this.batchSize || this.closed) break
      }
      // On a failure the connection is ended, which releases the lock too.
      await run({ text: "SELECT pg_advisory_unlock($1)", values: [SWEEP_LOCK] })
      return removed
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.timer)
    await this.sweeping?.catch(() => undefined)
    // Politely when the server answers; a silent one is not waited for.
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      this.pool.end().catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, this.timeoutMs)
      }),
    ])
    clearTimeout(timer)
    this.watchdog.stop()
  }

  /** @internal Creates the table now if the database answers; postgresDriver() calls it once. */
  async prepare(): Promise<void> {
    try {
      await this.ensureSchema("open")
    } catch (error) {
      // Down now: the app starts anyway, answers 503, and the first call after it is back creates it.
      if (error instanceof KVError && error.code === "KV_UNAVAILABLE") return
      await this.close()
      throw error
    }
  }
}

const OPTION_NAMES = ["url", "timeoutMs", "poolSize", "sweepIntervalMs", "sweepBatchSize", "clock"]

function positiveInteger(options: PostgresDriverOptions, name: keyof PostgresDriverOptions): void {
  const value = options[name]
  if (value !== undefined && !(typeof value === "number" && Number.isSafeInteger(value) && value > 0)) {
    throw new KVError(
      "KV_CONFIG_INVALID",
      `postgresDriver(): ${name} must be a whole number above 0, got ${describeValue(value)}`,
    )
  }
}

/**
 * The postgres driver, its client library (pg) loaded only now. It resolves
 * even while the database is down: calls then fail with `KV_UNAVAILABLE`
 * until it is back, and the first that succeeds creates the table.
 *
 * @example
 * const store = storage.kv({ name: "sessions", driver: await postgresDriver({ url: process.env.DATABASE_URL }) })
 */
export async function postgresDriver(options: PostgresDriverOptions): Promise<PostgresDriver> {
  if (isOptionBag(options, "postgresDriver()", "KV_CONFIG_INVALID")) {
    checkOptionNames(options, OPTION_NAMES, "postgresDriver()", "KV_CONFIG_INVALID")
  }
  for (const name of ["timeoutMs", "poolSize", "sweepIntervalMs", "sweepBatchSize"] as const) {
    positiveInteger(options, name)
  }
  const config = parsePostgresUrl(options.url, "postgresDriver() url")
  const poolSize = options.poolSize ?? config.pool ?? DEFAULT_POOL_SIZE
  const pool = await openPool(config, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, poolSize)
  const driver = new PostgresDriver(pool, config, options)
  await driver.prepare()
  return driver
}
