import type { Cluster, Redis } from "ioredis"
import { type Clock, systemClock } from "../../clock.js"
import type { AtomicKVDriver, DriverListOptions, IncrementRefusal, ListPage, StoredEntry } from "../../driver.js"
import { KVError } from "../../errors.js"
import { checkOptionNames, isOptionBag } from "../../options.js"
import { type AtomicScripts, type CreatedCounter, defineAtomicScripts } from "./atomic-scripts.js"
import { ReadCache, type RedisCacheOptions } from "./cache.js"
import { closeClient, openClient, type RedisClient } from "./connection.js"
import { MAX_HEADER_BYTES, packEntry, readHeader, unpackEntry } from "./entry.js"
import { redisError, withDeadline } from "./errors.js"
import { fromRedisKey, scanPattern, toRedisKey } from "./keys.js"
import { type ListSource, listPage } from "./list.js"
import { keySlot } from "./slots.js"
import { startTracking } from "./tracking.js"
import { describeRedis, parseRedisUrl, type RedisConfig } from "./url.js"

export interface RedisDriverOptions {
  /** `redis://[user:password@]host:port[/db]`, `rediss://...` (TLS) or `redis+cluster://host:port,host:port,...`. */
  url: string
  /** How long an operation may wait for Redis before it fails with `KV_UNAVAILABLE` (default 800 ms). */
  timeoutMs?: number
  /** The clock the stores read expiry on; lets Redis's own expiry follow a test clock. */
  clock?: Clock
  /**
   * An in-process read cache that Redis keeps correct (CLIENT TRACKING): a
   * hot entry is read with no round trip, and a change made by any process
   * evicts it everywhere. Standalone Redis only; default off, or `?cache=on`
   * in the URL.
   */
  cache?: boolean | RedisCacheOptions
}

const DEFAULT_TIMEOUT_MS = 800
const SCAN_COUNT = 1000
/**
 * Keys per MGET, or per pipeline to one cluster master, in a getMany: a
 * reply stays small, so Redis serves other clients between batches. Batches
 * of 100, 250 or 1000 read 1000 or 5000 keys equally fast (bench/redis-get-many.ts).
 */
const GET_MANY_BATCH = 250

/**
 * Entries in Redis or Valkey, standalone or a Redis Cluster: several app
 * processes share them. One Redis string per entry; Redis expires it by itself
 * (PXAT); the store still checks expiry on read by its own clock.
 */
export class RedisDriver implements AtomicKVDriver {
  readonly name = "redis"
  /** Where it points, for messages: never the password. */
  readonly target: string
  private readonly client: RedisClient
  private readonly clock: Clock
  private readonly timeoutMs: number
  private readonly cluster: boolean
  private readonly source: ListSource
  private readonly scripts: AtomicScripts
  /** The read cache, when on; its counters serve measurement. */
  readonly cache: ReadCache | undefined
  private stopTracking: (() => void) | undefined

  constructor(client: RedisClient, config: RedisConfig, options: RedisDriverOptions, cache?: ReadCache) {
    this.client = client
    this.target = describeRedis(config)
    this.cluster = config.cluster
    this.clock = options.clock ?? systemClock
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.source = { scan: (pattern, visit) => this.scan(pattern, visit), headers: (keys) => this.headers(keys) }
    this.cache = cache
    this.scripts = defineAtomicScripts(client)
  }

  /**
   * Runs one operation: a KVError naming the key if it fails. Each command is
   * bounded by the client's command timeout; on a cluster the whole operation
   * is bounded too, since the client may retry while the cluster heals.
   */
  private run<T>(what: string, operation: () => Promise<T>, bounded = this.cluster): Promise<T> {
    const fail = (error: unknown): never => {
      throw redisError(error, this.target, what)
    }
    let pending: Promise<T>
    try {
      pending = operation()
    } catch (error) {
      return Promise.reject(redisError(error, this.target, what))
    }
    // A plain .catch rather than an async function's await: a turn of the microtask queue less per call.
    return (bounded ? withDeadline(pending, this.timeoutMs, this.target, what) : pending).catch(fail)
  }

  async get(key: string): Promise<StoredEntry | null> {
    const redisKey = toRedisKey(key)
    const cache = this.cache
    if (cache?.has(redisKey)) {
      await invalidationsReceived()
      const hit = cache.fresh ? cache.get(redisKey) : undefined
      if (hit !== undefined) return hit
    }
    const fetch = cache?.begin(redisKey) ?? null
    let entry: StoredEntry | null = null
    try {
      const packed = await this.run(`get ${key}`, () => this.client.getBuffer(redisKey))
      entry = packed === null ? null : unpackEntry(packed, redisKey)
      return entry
    } finally {
      cache?.finish(fetch, entry)
    }
  }

  async getMany(keys: readonly string[]): Promise<(StoredEntry | null)[]> {
    const redisKeys = keys.map(toRedisKey)
    const result: (StoredEntry | null | undefined)[] = redisKeys.map(() => undefined)
    const cache = this.cache
    if (cache !== undefined && redisKeys.some((redisKey) => cache.has(redisKey))) {
      await invalidationsReceived()
      if (cache.fresh) for (const [index, redisKey] of redisKeys.entries()) result[index] = cache.get(redisKey)
    }
    const missing = redisKeys.filter((_, index) => result[index] === undefined)
    if (missing.length === 0) return result as (StoredEntry | null)[]
    const fetches = missing.map((redisKey) => cache?.begin(redisKey) ?? null)
    const entries: (StoredEntry | null)[] = missing.map(() => null)
    try {
      const packed = await this.fetchMany(missing, `getMany of ${keys.length} keys`)
      for (const [index, value] of packed.entries()) {
        entries[index] = value === null ? null : unpackEntry(value, missing[index] as string)
      }
    } finally {
      for (const [index, fetch] of fetches.entries()) cache?.finish(fetch, entries[index] ?? null)
    }
    let next = 0
    return result.map((cached) => (cached === undefined ? (entries[next++] ?? null) : cached))
  }

  /**
   * The packed entries of `redisKeys`, in order, in batches of at most
   * GET_MANY_BATCH keys, each under its own deadline: a large getMany on a
   * healthy server is never a 503. Standalone, a batch is one MGET. A cluster
   * answers MGET only for keys of one slot, and a store's keys spread over
   * every slot, so its keys are grouped by the master serving their slot and
   * each master gets a pipeline of GETs: one write and one read per batch
   * instead of one per key, about twice as fast from 5000 keys up
   * (bench/redis-get-many.ts).
   */
  private async fetchMany(redisKeys: readonly string[], what: string): Promise<(Buffer | null)[]> {
    if (!this.cluster) {
      const values: (Buffer | null)[] = []
      for (const batch of batches(redisKeys, GET_MANY_BATCH)) {
        values.push(...(await this.run(what, () => (this.client as Redis).mgetBuffer(batch))))
      }
      return values
    }
    const values: (Buffer | null)[] = redisKeys.map(() => null)
    const byMaster = new Map<string, number[]>()
    const slots = (this.client as Cluster).slots
    for (const [index, redisKey] of redisKeys.entries()) {
      // The nodes of a slot, joined as ioredis groups them: a pipeline may only span one group.
      const group = slots[keySlot(redisKey)]?.join(";") ?? ""
      const indexes = byMaster.get(group)
      if (indexes === undefined) byMaster.set(group, [index])
      else indexes.push(index)
    }
    await Promise.all(
      [...byMaster.values()].map(async (indexes) => {
        for (const batch of batches(indexes, GET_MANY_BATCH)) {
          const found = await this.run(what, () => this.pipelinedGets(batch.map((index) => redisKeys[index] as string)))
          for (const [position, index] of batch.entries()) values[index] = found[position] ?? null
        }
      }),
    )
    return values
  }

  /** GETs of keys one cluster master serves, sent in one pipeline. */
  private async pipelinedGets(redisKeys: readonly string[]): Promise<(Buffer | null)[]> {
    const pipeline = this.client.pipeline()
    for (const redisKey of redisKeys) pipeline.getBuffer(redisKey)
    const results = (await pipeline.exec()) ?? []
    return results.map(([error, value]) => {
      if (error) throw error
      return value as Buffer | null
    })
  }

  async put(key: string, entry: StoredEntry): Promise<void> {
    const redisKey = toRedisKey(key)
    const packed = packEntry(entry)
    await this.changing(redisKey, () =>
      this.run(`put ${key}`, () =>
        entry.expiresAt === null
          ? this.client.set(redisKey, packed)
          : this.client.set(redisKey, packed, "PXAT", this.redisExpiry(entry.expiresAt)),
      ),
    )
  }

  // The atomic operations: one script or command each, so one round trip (atomic-scripts.ts).

  putIf(key: string, entry: StoredEntry, expected: string | null, now: number): Promise<boolean> {
    const redisKey = toRedisKey(key)
    const packed = packEntry(entry)
    const pxat = this.pxat(entry)
    return this.changing(redisKey, () =>
      this.run(`putIf ${key}`, async () => {
        if (expected === null && (await this.setIfMissing(redisKey, packed, pxat))) return true
        return this.scripts.putIf(redisKey, expected, now, packed, pxat)
      }),
    )
  }

  /**
   * "Only if absent" first as a plain SET NX, cheaper for Redis than a
   * script (bench/atomic-micro.ts): true when Redis had no such key, so it
   * wrote. A key Redis still holds may be one the store sees as expired
   * (by its own clock): the script decides then, atomically, by the store's
   * `now`; of concurrent adds, SET NX lets one win and the others' scripts
   * find its entry live.
   */
  private async setIfMissing(redisKey: string, packed: Buffer, pxat: string): Promise<boolean> {
    const reply =
      pxat === ""
        ? await this.client.set(redisKey, packed, "NX")
        : await this.client.set(redisKey, packed, "PXAT", pxat, "NX")
    return reply === "OK"
  }

  deleteIf(key: string, expected: string, now: number): Promise<boolean> {
    const redisKey = toRedisKey(key)
    return this.changing(redisKey, () =>
      this.run(`deleteIf ${key}`, () => this.scripts.deleteIf(redisKey, expected, now)),
    )
  }

  getAndDelete(key: string): Promise<StoredEntry | null> {
    const redisKey = toRedisKey(key)
    return this.changing(redisKey, async () => {
      const packed = await this.run(`getAndDelete ${key}`, () => this.client.getdelBuffer(redisKey))
      return packed === null ? null : unpackEntry(packed, redisKey)
    })
  }

  increment(key: string, delta: number, created: StoredEntry, now: number): Promise<number | IncrementRefusal> {
    const redisKey = toRedisKey(key)
    const counter: CreatedCounter = {
      expiresAt: created.expiresAt,
      pxat: this.pxat(created),
      version: created.version ?? "",
      contentType: created.contentType,
      metadata: created.metadata,
      // Decimal digits: ASCII, so latin1 reads them as they are, fastest.
      text: Buffer.from(created.value.buffer, created.value.byteOffset, created.value.byteLength).toString("latin1"),
    }
    return this.changing(redisKey, () =>
      this.run(`increment ${key}`, () => this.scripts.increment(redisKey, delta, now, counter)),
    )
  }

  /** The PXAT argument of a script's SET: "" for an entry that never expires. */
  private pxat(entry: StoredEntry): string {
    return entry.expiresAt === null ? "" : String(this.redisExpiry(entry.expiresAt))
  }

  /**
   * A write by this process: evicted before (reads in flight are not cached)
   * and after (a read that slipped in between is dropped), so this process
   * reads its own writes without waiting for Redis's invalidation.
   *
   * With the cache on, the write also waits for one more reply: Redis sends
   * the invalidations of a write after the write's own reply, and before its
   * answer to the next command (measured: 300 of 300 invalidations arrived
   * after the DEL reply, 0 of 600 after the next PING's). So when a logout
   * returns, every other process's copy is already on its way, ahead of any
   * request the logout's response can cause.
   */
  private changing<T>(redisKey: string, write: () => Promise<T>): Promise<T> {
    // Without a cache there is nothing to evict or wait for.
    return this.cache === undefined ? write() : this.changingCached(this.cache, redisKey, write)
  }

  private async changingCached<T>(cache: ReadCache, redisKey: string, write: () => Promise<T>): Promise<T> {
    cache.invalidate(redisKey)
    try {
      const result = await write()
      // The write is done either way; a failed ping must not report it failed.
      await this.client.ping().catch(() => undefined)
      return result
    } finally {
      cache.invalidate(redisKey)
    }
  }

  /**
   * When Redis drops an entry the store says expires at `expiresAt`. With the
   * system clock this is `expiresAt` itself. A test clock moved away from real
   * time is translated, so Redis neither drops an entry the store still sees
   * (a clock behind) nor keeps it for years (a clock ahead).
   */
  private redisExpiry(expiresAt: number): number {
    const realNow = Date.now()
    const at = realNow + (expiresAt - this.clock.now())
    // Only a store whose own clock lags the driver's gets here: keep its entries a while.
    return at > realNow ? Math.round(at) : realNow + STRAY_CLOCK_GRACE_MS
  }

  async delete(key: string): Promise<void> {
    const redisKey = toRedisKey(key)
    await this.changing(redisKey, () => this.run(`delete ${key}`, () => this.client.del(redisKey)))
  }

  list(options: DriverListOptions): Promise<ListPage> {
    // A long listing is many round trips: each is bounded, not the whole.
    return this.run(`list ${options.prefix}`, () => listPage(this.source, options), false)
  }

  /** One SCAN MATCH per master, its batches as they come: O(keys) in all, where list() is a SCAN per page. */
  async *scanKeys(prefix: string): AsyncGenerator<string[]> {
    const pattern = scanPattern(prefix)
    const masters = this.masters()
    if (masters.length === 0) throw redisError(new Error("no master is known yet"), this.target, `scan ${prefix}`)
    for (const master of masters) {
      let cursor = "0"
      do {
        const [next, redisKeys] = await this.run(`scan ${prefix}`, () =>
          master.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT),
        )
        const keys: string[] = []
        for (const redisKey of redisKeys) {
          const key = fromRedisKey(redisKey)
          if (key?.startsWith(prefix)) keys.push(key)
        }
        if (keys.length > 0) yield keys
        cursor = next
      } while (cursor !== "0")
    }
  }

  private masters(): Redis[] {
    return this.cluster ? (this.client as Cluster).nodes("master") : [this.client as Redis]
  }

  private async scan(pattern: string, visit: (redisKeys: string[]) => void): Promise<void> {
    const masters = this.masters()
    if (masters.length === 0) throw new Error("no master is known yet")
    await Promise.all(
      masters.map(async (master) => {
        let cursor = "0"
        do {
          const [next, keys] = await master.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT)
          visit(keys)
          cursor = next
        } while (cursor !== "0")
      }),
    )
  }

  private async headers(
    redisKeys: string[],
  ): Promise<({ expiresAt: number | null; metadata: string | null } | null)[]> {
    if (redisKeys.length === 0) return []
    const read = (redisKey: string) => this.client.getrangeBuffer(redisKey, 0, MAX_HEADER_BYTES - 1)
    let values: (Buffer | null)[]
    if (this.cluster) {
      values = await withDeadline(Promise.all(redisKeys.map(read)), this.timeoutMs, this.target, "list")
    } else {
      const pipeline = (this.client as Redis).pipeline()
      for (const redisKey of redisKeys) pipeline.getrangeBuffer(redisKey, 0, MAX_HEADER_BYTES - 1)
      const results = (await pipeline.exec()) ?? []
      values = results.map(([error, value]) => {
        if (error) throw error
        return value as Buffer
      })
    }
    // An empty string: the key went away between the SCAN and now.
    return values.map((value, index) =>
      value === null || value.byteLength === 0 ? null : readHeader(value, redisKeys[index] as string),
    )
  }

  /** @internal Wires the cache to Redis's invalidations; done once by redisDriver(). */
  async track(config: RedisConfig): Promise<void> {
    if (this.cache === undefined) return
    const tracking = await startTracking(this.client as Redis, config, this.timeoutMs, this.cache)
    this.stopTracking = tracking.close
  }

  async close(): Promise<void> {
    this.stopTracking?.()
    await closeClient(this.client, this.timeoutMs)
  }
}

/**
 * Lets I/O that has already arrived (an invalidation from Redis) be handled
 * before a read is answered from the cache: a logout that reached Redis
 * before this request reached us is never answered from a stale entry.
 */
function invalidationsReceived(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

function* batches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size)
}

/** How long Redis keeps an entry whose store clock says it expires before the driver's clock says now. */
const STRAY_CLOCK_GRACE_MS = 60 * 60 * 1000

/**
 * Connects to Redis (loading the client library only now) and returns the
 * driver. It resolves even while Redis is down: operations then fail with
 * `KV_UNAVAILABLE` until it is back.
 */
export async function redisDriver(options: RedisDriverOptions): Promise<RedisDriver> {
  if (isOptionBag(options, "redisDriver()", "KV_CONFIG_INVALID")) {
    checkOptionNames(options, ["url", "timeoutMs", "clock", "cache"], "redisDriver()", "KV_CONFIG_INVALID")
  }
  const config = parseRedisUrl(options.url, "redisDriver() url")
  const cacheOption = options.cache ?? config.cache
  if (cacheOption && config.cluster) {
    throw new KVError("KV_CONFIG_INVALID", "redisDriver(): the read cache works on a standalone Redis only for now")
  }
  const client = await openClient(config, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  const cache = cacheOption ? new ReadCache(cacheOption === true ? {} : cacheOption) : undefined
  const driver = new RedisDriver(client, config, options, cache)
  await driver.track(config)
  return driver
}
