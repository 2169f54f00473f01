import type { LayeronModule, ModuleContext, WorkersBinding } from "@layeron/core"
import {
  backoff,
  type Consistency,
  checkConsistency,
  checkDelta,
  checkIfVersion,
  conflict,
  notAtomic,
  notCounter,
  UPDATE_ATTEMPTS,
  updateGaveUp,
} from "./atomic.js"
import { type Clock, defaultClock } from "./clock.js"
import { counterBytes } from "./counter.js"
import type { AtomicKVDriver, KVDriver, StoredEntry } from "./driver.js"
import { acquireDriver } from "./driver-pool.js"
import { DEFAULT_KV_URL, parseKVUrl } from "./driver-url.js"
import { type EncodedValue, encodeValue, isPlainText, type KVValue, utf8 } from "./encode-value.js"
import { KVError } from "./errors.js"
import { expiryOf } from "./expiry.js"
import { KVHandle } from "./handle.js"
import { KV_LIMITS } from "./limits.js"
import { type CursorScope, decodeListCursor, encodeListCursor } from "./list-cursor.js"
import { checkOptionNames, describeValue, isOptionBag, refuseOptions } from "./options.js"
import {
  CONDITIONAL_PUT_OPTIONS,
  type ConditionalPutOptions,
  checkShards,
  checkStoreName,
  checkStoreOptions,
  DELETE_OPTIONS,
  type DeleteOptions,
  INCREMENT_OPTIONS,
  type IncrementOptions,
  type KVStoreOptions,
  LIST_OPTIONS,
  type ListedKey,
  type ListOptions,
  type ListResult,
  PUT_OPTIONS,
  type PutOptions,
  STORE_OPTIONS,
  type UpdateResult,
} from "./store-options.js"
import {
  checkContentType,
  checkTtl,
  isMatchablePrefix,
  isReadableKey,
  keyProblem,
  metadataJson,
  showKey,
} from "./validate.js"
import { newVersion } from "./version.js"
import { workersDriver } from "./workers-driver.js"

export type {
  ConditionalPutOptions,
  DeleteOptions,
  IncrementOptions,
  KVStoreOptions,
  ListedKey,
  ListOptions,
  ListResult,
  PutOptions,
  UpdateResult,
} from "./store-options.js"

const TEXT_CONTENT_TYPE = "text/plain;charset=UTF-8"
const READ_HINT = "; read the handle with text(), json(), arrayBuffer(), bytes() or stream()"

/** Encodes a store's scope so no namespace, name or key can reach into another store's keys. */
/** @internal The key of KVStore's unordered key walk, shared by every copy of this package. */
export const SCAN_KEYS = Symbol.for("layeron.kv.scanKeys")

function scopePrefix(namespace: string, name: string): string {
  return `${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/`
}

/**
 * A key-value store with TTL: the `storage.kv` module. Declare it with
 * `app.use()`, or use it on its own; it opens its driver on first use.
 */
export class KVStore implements LayeronModule {
  readonly name: string
  readonly storeName: string
  readonly namespace: string
  readonly ttlSeconds: number | undefined
  readonly portable: boolean
  readonly consistency: Consistency
  /** A strong store's shard count on Workers (Durable Objects), when set. */
  readonly shards: number | undefined
  private readonly driverOption: KVDriver | string | undefined
  private readonly clock: Clock | undefined
  private readonly minTtl: number
  private prefix = ""
  private driver: KVDriver | undefined
  private opening: Promise<KVDriver> | undefined
  private release: (() => Promise<void>) | undefined

  constructor(options: KVStoreOptions) {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new KVError(
        "KV_OPTIONS_INVALID",
        `storage.kv() takes options: { name, namespace?, ttlSeconds?, driver? }, got ${describeValue(options)}`,
      )
    }
    checkOptionNames(options, STORE_OPTIONS, "storage.kv()")
    this.storeName = checkStoreName(options.name, "name")
    this.namespace = checkStoreName(options.namespace ?? "default", "namespace")
    this.name = `storage.kv(${this.namespace}/${this.storeName})`
    checkStoreOptions(options, this.name)
    this.portable = options.portable ?? true
    this.consistency = checkConsistency(options.consistency, this.name)
    this.shards = checkShards(options.shards, this.consistency, this.name)
    this.minTtl = this.portable ? KV_LIMITS.minTtlSeconds : KV_LIMITS.minNonPortableTtlSeconds
    this.ttlSeconds =
      options.ttlSeconds === undefined ? undefined : checkTtl(options.ttlSeconds, this.minTtl, this.name)
    this.driverOption = options.driver
    this.clock = options.clock
  }

  /** Module hook: opens the driver from the app's environment (`LAYERON_KV`). */
  async start(context: ModuleContext): Promise<void> {
    await this.open(context.env, context.runtime)
  }

  /** Module hook for `layeron build`: on Workers the store is one KV namespace, bound by name. */
  workersBindings(): WorkersBinding[] {
    return [workersDriver().bindingOf(this)]
  }

  /** Module hook, and the end of a standalone store: releases the driver. */
  async close(): Promise<void> {
    const opening = this.opening
    const release = this.release
    this.driver = undefined
    this.opening = undefined
    this.release = undefined
    if (opening) await opening.catch(() => undefined)
    await release?.()
  }

  private open(
    env: Readonly<Record<string, unknown>> = processEnv(),
    runtime?: ModuleContext["runtime"],
  ): Promise<KVDriver> {
    if (this.opening !== undefined) return this.opening
    const opening: Promise<KVDriver> = this.openDriver(env, runtime).then((driver) => {
      // A close() while this was opening has already released the driver: keep no reference to it.
      if (this.opening === opening) {
        this.prefix = driver.scopedPerStore ? "" : scopePrefix(this.namespace, this.storeName)
        this.driver = driver
      }
      return driver
    })
    this.opening = opening
    opening.catch(() => {
      if (this.opening === opening) this.opening = undefined
    })
    return opening
  }

  private async openDriver(
    env: Readonly<Record<string, unknown>>,
    runtime?: ModuleContext["runtime"],
  ): Promise<KVDriver> {
    const option = this.driverOption
    if (typeof option === "object" && option !== null) return option
    if (runtime === "workers" && option === undefined) return workersDriver().open(env, this)
    const fromEnv = env.LAYERON_KV
    const url = option ?? (typeof fromEnv === "string" && fromEnv !== "" ? fromEnv : DEFAULT_KV_URL)
    const acquired = acquireDriver(parseKVUrl(url, option === undefined ? "LAYERON_KV" : `${this.name} driver`))
    this.release = acquired.release
    return acquired.driver
  }

  private now(): number {
    return (this.clock ?? defaultClock()).now()
  }

  private where(key?: unknown): string {
    return key === undefined ? this.name : `${this.name} key ${showKey(key)}`
  }

  private async call<T>(operation: string, key: unknown, run: (driver: KVDriver) => T | Promise<T>): Promise<T> {
    const driver = this.driver ?? (await this.open())
    try {
      const result = run(driver)
      // The sqlite and memory drivers answer at once: awaiting a plain value would cost a turn of the microtask queue.
      return isPromiseLike(result) ? await result : result
    } catch (error) {
      throw this.driverError(operation, key, driver, error)
    }
  }

  /**
   * As call(), without an async function's turns when the driver is open:
   * a driver that answers at once (sqlite, memory) gives its answer back
   * as it is; a promise is returned with its failure mapped.
   */
  private callNow<T>(operation: string, key: unknown, run: (driver: KVDriver) => T | Promise<T>): T | Promise<T> {
    const driver = this.driver
    if (driver === undefined) return this.call(operation, key, run)
    let result: T | Promise<T>
    try {
      result = run(driver)
    } catch (error) {
      throw this.driverError(operation, key, driver, error)
    }
    if (!isPromiseLike(result)) return result
    return Promise.resolve(result).catch((error: unknown) => {
      throw this.driverError(operation, key, driver, error)
    })
  }

  /** A driver's failure as a KVError that names the store, the key and the operation. */
  private driverError(operation: string, key: unknown, driver: KVDriver, error: unknown): KVError {
    if (error instanceof KVError) {
      // A driver names its backend; the caller also needs the store and key.
      if (error.message.startsWith(this.name)) return error
      return new KVError(error.code, `${this.where(key)}: ${error.message}`, { cause: error })
    }
    const message = error instanceof Error ? error.message : String(error)
    return new KVError("KV_DRIVER_ERROR", `${this.where(key)}: ${operation} failed on ${driver.name}: ${message}`, {
      cause: error,
    })
  }

  private isLive(entry: StoredEntry | null, now: number): entry is StoredEntry {
    return entry !== null && (entry.expiresAt === null || entry.expiresAt > now)
  }

  private get strong(): boolean {
    return this.consistency === "strong"
  }

  private handle(key: string, entry: StoredEntry): KVHandle {
    return new KVHandle(this.name, key, entry, this.strong)
  }

  /**
   * The entry, or null if it is missing or expired (or the key could never be stored).
   *
   * @example
   * const session = await sessions.get(`session:${token}`)
   * if (session === null) return new Response("Unauthorized", { status: 401 })
   * const { userId } = await session.json<{ userId: string }>()
   */
  // `options` is never given: a second argument is refused rather than ignored (Workers KV's `get(key, "json")`).
  async get(key: string, options?: never): Promise<KVHandle | null> {
    if (options !== undefined) refuseOptions(options, `${this.name}: get()`, READ_HINT)
    if (!isReadableKey(key)) return null
    const driver = this.driver ?? (await this.open())
    let entry: StoredEntry | null
    try {
      const pending = driver.get(this.prefix + key)
      // The sqlite and memory drivers answer at once: awaiting a plain value would cost a turn of the microtask queue.
      entry = isPromiseLike(pending) ? await pending : pending
    } catch (error) {
      throw this.driverError("get", key, driver, error)
    }
    return this.isLive(entry, this.now()) ? this.handle(key, entry) : null
  }

  async has(key: string, options?: never): Promise<boolean> {
    if (options !== undefined) refuseOptions(options, `${this.name}: has()`)
    if (!isReadableKey(key)) return false
    const entry = await this.call("has", key, (driver) => driver.get(this.prefix + key))
    return this.isLive(entry, this.now())
  }

  /**
   * Each key's entry (null if missing or expired), in the order given, in one
   * round trip where the backend allows; at most `KV_LIMITS.maxGetManyKeys` keys.
   *
   * @example
   * const found = await sessions.getMany(["session:a", "session:b"])
   * const a = await found.get("session:a")?.text() // undefined when missing or expired
   */
  async getMany(keys: readonly string[], options?: never): Promise<Map<string, KVHandle | null>> {
    if (!Array.isArray(keys)) {
      throw new KVError(
        "KV_OPTIONS_INVALID",
        `${this.name}: getMany() takes an array of keys, got ${describeValue(keys)}`,
      )
    }
    if (options !== undefined) refuseOptions(options, `${this.name}: getMany()`, READ_HINT)
    if (keys.length > KV_LIMITS.maxGetManyKeys) {
      throw new KVError(
        "KV_TOO_MANY_KEYS",
        `${this.name}: getMany() takes at most ${KV_LIMITS.maxGetManyKeys} keys a call, got ${keys.length}; split them`,
      )
    }
    const result = new Map<string, KVHandle | null>()
    const readable: string[] = []
    for (const key of keys) {
      result.set(key, null)
      if (isReadableKey(key)) readable.push(key)
    }
    if (readable.length === 0) return result
    const unique = [...new Set(readable)]
    const entries = await this.call("getMany", undefined, (driver) =>
      driver.getMany(unique.map((key) => this.prefix + key)),
    )
    const now = this.now()
    unique.forEach((key, index) => {
      const entry = entries[index] ?? null
      if (this.isLive(entry, now)) result.set(key, this.handle(key, entry))
    })
    return result
  }

  /**
   * Stores `value` under `key`, replacing any entry there. Every option is
   * checked before anything is written; a bad one is a `KVError` naming it.
   * With `ifVersion` (strong stores), only if the entry is at that version,
   * or with null only if the key is absent (or expired); otherwise throws
   * `KV_CONFLICT` and writes nothing.
   *
   * @example
   * await sessions.put(`session:${token}`, JSON.stringify({ userId }), {
   *   contentType: "application/json",
   *   ttlSeconds: 60 * 60, // wins over the store's ttlSeconds
   *   metadata: { userId }, // returned by list() without reading the value
   * })
   */
  async put(key: string, value: KVValue, options?: ConditionalPutOptions): Promise<void> {
    // A hot path (a session written per login): messages are made only when something is wrong.
    this.checkWritableKey(key)
    if (options !== undefined) {
      const call = `${this.where(key)}: put()`
      if (isOptionBag(options, call)) checkOptionNames(options, CONDITIONAL_PUT_OPTIONS, call)
    }
    if (options?.ifVersion === undefined) {
      const made = this.entryFor(key, value, options, this.now())
      const entry = isPromiseLike(made) ? await made : made
      const done = this.callNow("put", key, (driver) => driver.put(this.prefix + key, entry))
      if (isPromiseLike(done)) await done
      return
    }
    const where = this.where(key)
    const call = `${where}: put()`
    const expected = checkIfVersion(options.ifVersion, call)
    this.requireStrong("put() with ifVersion")
    const { ifVersion: _, ...putOptions } = options
    const entry = await this.checkedEntry(value, putOptions, where, this.now())
    const written = await this.atomic("put() with ifVersion", key, (driver) =>
      driver.putIf(this.prefix + key, entry, expected, this.now()),
    )
    if (!written) throw conflict(where, "put()", expected)
  }

  /** The `where` of messages about a key a write is given; throws KV_KEY_INVALID for a key that cannot be stored. */
  private writableKey(key: string): string {
    this.checkWritableKey(key)
    return this.where(key)
  }

  /** Throws KV_KEY_INVALID for a key that cannot be stored (writableKey() without making the message prefix). */
  private checkWritableKey(key: string): void {
    const problem = keyProblem(key)
    if (problem !== null) throw new KVError("KV_KEY_INVALID", `${this.name}: key ${showKey(key)} ${problem}`)
  }

  /**
   * The entry a write of `value` under `key` stores, with its expiry from
   * `now`. The common write (a string, no options) is made here at once;
   * anything else goes through checkedEntry(), which checks every option.
   */
  private entryFor(
    key: string,
    value: KVValue,
    options: PutOptions | undefined,
    now: number,
  ): StoredEntry | Promise<StoredEntry> {
    if (options === undefined && isPlainText(value)) {
      return this.newEntry(utf8(value), value, TEXT_CONTENT_TYPE, null, this.defaultExpiry(key, now))
    }
    return this.checkedEntry(value, options ?? {}, this.where(key), now)
  }

  /** The entry a write stores: checked, encoded, with its expiry, and a new version on a strong store. */
  private async checkedEntry(value: KVValue, options: PutOptions, where: string, now: number): Promise<StoredEntry> {
    const contentType = options.contentType === undefined ? undefined : checkContentType(options.contentType, where)
    const metadata = metadataJson(options.metadata, where)
    const expiresAt = this.expiryFor(options, where, now)
    const encoded: EncodedValue = await encodeValue(value, where)
    return this.newEntry(encoded.bytes, encoded.text, contentType ?? encoded.defaultContentType, metadata, expiresAt)
  }

  /** An entry object of one shape per store (a version on a strong one), made in one step. */
  private newEntry(
    value: Uint8Array,
    text: string | undefined,
    contentType: string,
    metadata: string | null,
    expiresAt: number | null,
  ): StoredEntry {
    return this.strong
      ? { value, text, contentType, metadata, expiresAt, version: newVersion() }
      : { value, text, contentType, metadata, expiresAt }
  }

  /** Runs an atomic operation on the driver: KV_NOT_ATOMIC on an eventual store, whatever the driver. */
  private atomic<T>(call: string, key: unknown, run: (driver: AtomicKVDriver) => T | Promise<T>): Promise<T> {
    if (!this.strong) return Promise.reject(notAtomic(this.name, call))
    // A strong store's driver is atomic: storage.kv() checked a driver given to it, and every URL names one.
    return this.call(call, key, (driver) => run(driver as AtomicKVDriver))
  }

  /** Throws KV_NOT_ATOMIC on an eventual store, before any other work of an atomic call. */
  private requireStrong(call: string): void {
    if (!this.strong) throw notAtomic(this.name, call)
  }

  /** When an entry written now with `options` expires: ms since the epoch, or null. */
  private expiryFor(options: PutOptions, where: string, now = this.now()): number | null {
    return expiryOf(options, { now, storeTtl: this.ttlSeconds, minTtl: this.minTtl }, where)
  }

  /** expiryFor() with no options: the store's TTL from `now`; expiryOf() says what is wrong with one out of range. */
  private defaultExpiry(key: string, now: number): number | null {
    const ttl = this.ttlSeconds
    if (ttl === undefined) return null
    const at = now + ttl * 1000
    return at <= KV_LIMITS.maxExpiresAt ? at : this.expiryFor({}, this.where(key), now)
  }

  /**
   * Removes the entry; removing a missing key is fine. With `ifVersion`
   * (strong stores), only if the entry is at that version (with null: only if
   * the key is absent, so there is nothing to remove); otherwise throws
   * `KV_CONFLICT` and removes nothing.
   */
  async delete(key: string, options?: DeleteOptions): Promise<void> {
    const call = `${this.name}: delete()`
    if (isOptionBag(options, call)) checkOptionNames(options, DELETE_OPTIONS, call)
    if (options?.ifVersion === undefined) {
      if (!isReadableKey(key)) return
      await this.call("delete", key, (driver) => driver.delete(this.prefix + key))
      return
    }
    const expected = checkIfVersion(options.ifVersion, call)
    this.requireStrong("delete() with ifVersion")
    const where = this.where(key)
    // A key that could never be stored is absent.
    if (expected === null) {
      if (isReadableKey(key) && (await this.get(key)) !== null) throw conflict(where, "delete()", null)
      return
    }
    const deleted =
      isReadableKey(key) &&
      (await this.atomic("delete() with ifVersion", key, (driver) =>
        driver.deleteIf(this.prefix + key, expected, this.now()),
      ))
    if (!deleted) throw conflict(where, "delete()", expected)
  }

  /** Writes the entry only if the key is absent (or expired): true when it wrote. Of concurrent adds of one key, one wins. */
  async add(key: string, value: KVValue, options?: PutOptions): Promise<boolean> {
    // A hot path (one-time tokens, locks): messages are made only when something is wrong.
    this.checkWritableKey(key)
    if (options !== undefined) {
      const call = `${this.where(key)}: add()`
      if (isOptionBag(options, call)) checkOptionNames(options, PUT_OPTIONS, call)
    }
    this.requireStrong("add()")
    const now = this.now()
    const made = this.entryFor(key, value, options, now)
    const entry = isPromiseLike(made) ? await made : made
    const written = this.callNow("add()", key, (driver) =>
      (driver as AtomicKVDriver).putIf(this.prefix + key, entry, null, now),
    )
    return isPromiseLike(written) ? await written : written
  }

  /**
   * Adds `delta` (default 1, may be negative) to the counter at `key` and
   * returns the new count. A missing (or expired) counter starts at `delta`,
   * expiring as `options` or the store's TTL say; later increments keep that
   * expiry. A value that is not a counter throws `KV_NOT_COUNTER`.
   */
  async increment(key: string, delta = 1, options?: IncrementOptions): Promise<number> {
    // A hot path (rate limits): messages are made only when something is wrong.
    this.checkWritableKey(key)
    const count = Number.isSafeInteger(delta) ? delta : checkDelta(delta, this.where(key))
    if (options !== undefined) {
      const call = `${this.where(key)}: increment()`
      if (isOptionBag(options, call)) checkOptionNames(options, INCREMENT_OPTIONS, call)
    }
    this.requireStrong("increment()")
    const now = this.now()
    const created: StoredEntry = {
      value: counterBytes(count),
      contentType: TEXT_CONTENT_TYPE,
      metadata: null,
      expiresAt: options === undefined ? this.defaultExpiry(key, now) : this.expiryFor(options, this.where(key), now),
      version: newVersion(),
    }
    const pending = this.callNow("increment()", key, (driver) =>
      (driver as AtomicKVDriver).increment(this.prefix + key, count, created, now),
    )
    const result = isPromiseLike(pending) ? await pending : pending
    if (typeof result !== "number") throw notCounter(this.where(key), result, count)
    return result
  }

  /** Removes the entry and returns it, or null if there was none (or it had expired): of concurrent callers, exactly one gets it. */
  async getAndDelete(key: string, options?: never): Promise<KVHandle | null> {
    if (options !== undefined) refuseOptions(options, `${this.name}: getAndDelete()`, READ_HINT)
    this.requireStrong("getAndDelete()")
    if (!isReadableKey(key)) return null
    const taken = this.callNow("getAndDelete()", key, (driver) =>
      (driver as AtomicKVDriver).getAndDelete(this.prefix + key),
    )
    const entry = isPromiseLike(taken) ? await taken : taken
    return this.isLive(entry, this.now()) ? this.handle(key, entry) : null
  }

  /**
   * Read-modify-write without losing a concurrent update: reads the entry
   * (null if absent), calls `change` with it, and writes what it returns
   * (as `put(key, next, options)` would; null deletes, undefined leaves the
   * entry as it is) only if nobody wrote the key meanwhile; otherwise reads
   * and calls `change` again, up to 10 times, then throws `KV_CONFLICT`. So
   * `change` may run more than once: keep it free of side effects. Returns
   * the entry as it now is (null when deleted or absent).
   */
  async update(
    key: string,
    change: (current: KVHandle | null) => UpdateResult | Promise<UpdateResult>,
    options?: PutOptions,
  ): Promise<KVHandle | null> {
    const where = this.writableKey(key)
    if (typeof change !== "function") {
      throw new KVError("KV_OPTIONS_INVALID", `${where}: update() takes a function, got ${describeValue(change)}`)
    }
    if (isOptionBag(options, `${where}: update()`)) checkOptionNames(options, PUT_OPTIONS, `${where}: update()`)
    this.requireStrong("update()")
    let tried = 0
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
      if (attempt > 1) await backoff(attempt, Date.now() - tried)
      tried = Date.now()
      const current = await this.get(key)
      const next = await change(current)
      if (next === undefined) return current
      const expected = current?.version ?? null
      if (next === null) {
        if (expected === null) return null
        if (await this.atomic("update()", key, (driver) => driver.deleteIf(this.prefix + key, expected, this.now())))
          return null
        continue
      }
      const entry = await this.checkedEntry(next, options ?? {}, where, this.now())
      if (
        await this.atomic("update()", key, (driver) => driver.putIf(this.prefix + key, entry, expected, this.now()))
      ) {
        return this.handle(key, entry)
      }
    }
    throw updateGaveUp(where)
  }

  /**
   * Keys in UTF-8 byte order, a page at a time; never an expired one.
   *
   * @example
   * let page = await sessions.list({ prefix: "session:", limit: 100 })
   * for (const key of page.keys) console.log(key.name, key.expiresAt, key.metadata)
   * while (!page.complete) page = await sessions.list({ prefix: "session:", cursor: page.cursor })
   */
  async list(options?: ListOptions): Promise<ListResult> {
    const call = `${this.name}: list()`
    if (isOptionBag(options, call)) checkOptionNames(options, LIST_OPTIONS, call)
    const { prefix = "", limit = KV_LIMITS.maxListLimit, cursor } = options ?? {}
    if (typeof prefix !== "string") {
      throw new KVError("KV_OPTIONS_INVALID", `${call} prefix must be a string, got ${describeValue(prefix)}`)
    }
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > KV_LIMITS.maxListLimit) {
      throw new KVError(
        "KV_OPTIONS_INVALID",
        `${call} limit must be a whole number from 1 to ${KV_LIMITS.maxListLimit}, got ${describeValue(limit)}`,
      )
    }
    const scope = { namespace: this.namespace, name: this.storeName, prefix }
    const after = cursor === undefined ? null : this.driverCursor(cursor, scope)
    // Reads are forgiving: no key starts with such a prefix, whatever the driver would make of it.
    if (!isMatchablePrefix(prefix)) return { keys: [], complete: true }
    const now = this.now()
    const page = await this.call("list", undefined, (driver) =>
      driver.list({ prefix: this.prefix + prefix, limit, cursor: after, now }),
    )
    const keys: ListedKey[] = []
    for (const entry of page.entries) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) continue
      keys.push({
        name: entry.key.slice(this.prefix.length),
        expiresAt: entry.expiresAt === null ? null : new Date(entry.expiresAt),
        metadata: entry.metadata === null ? null : JSON.parse(entry.metadata),
      })
    }
    if (page.cursor === null) return { keys, complete: true }
    return { keys, cursor: encodeListCursor(scope, page.cursor), complete: false }
  }

  /**
   * @internal Not public API: for `layeron kv export|copy`, which find it by
   * its symbol (SCAN_KEYS) on whatever copy of this package an app loads.
   * Every key name with `prefix`, in no order, in batches a getMany() takes;
   * a name may come twice, and one that expired may come (getMany() leaves
   * it out). Uses the driver's scanKeys() when it has one, else list pages.
   */
  async *[SCAN_KEYS](prefix = ""): AsyncGenerator<string[]> {
    if (typeof prefix !== "string") {
      throw new KVError(
        "KV_OPTIONS_INVALID",
        `${this.name}: scan prefix must be a string, got ${describeValue(prefix)}`,
      )
    }
    if (!isMatchablePrefix(prefix)) return
    const driver = this.driver ?? (await this.open())
    if (driver.scanKeys === undefined) {
      let cursor: string | undefined
      do {
        const page = await this.list({ prefix, ...(cursor === undefined ? {} : { cursor }) })
        if (page.keys.length > 0) yield page.keys.map((key) => key.name)
        cursor = page.cursor
      } while (cursor !== undefined)
      return
    }
    const scoped = this.prefix + prefix
    const batches = driver.scanKeys(scoped)[Symbol.asyncIterator]()
    for (;;) {
      let next: IteratorResult<readonly string[]>
      try {
        next = await batches.next()
      } catch (error) {
        throw this.driverError("scan", undefined, driver, error)
      }
      if (next.done) return
      // Only this store's keys, whatever the driver returns: stores stay apart.
      const names = next.value.filter((key) => key.startsWith(scoped)).map((key) => key.slice(this.prefix.length))
      for (let start = 0; start < names.length; start += KV_LIMITS.maxGetManyKeys) {
        yield names.slice(start, start + KV_LIMITS.maxGetManyKeys)
      }
    }
  }

  /** The driver's cursor inside a cursor this store handed out for the same prefix; anything else is refused. */
  private driverCursor(cursor: unknown, scope: CursorScope): string {
    if (typeof cursor !== "string" || cursor === "") {
      const got = cursor === "" ? "an empty string" : describeValue(cursor)
      throw new KVError(
        "KV_CURSOR_INVALID",
        `${this.name}: list() cursor must be the cursor of a previous page (leave it out for the first), got ${got}`,
      )
    }
    const inside = decodeListCursor(scope, cursor)
    if (inside === null) {
      throw new KVError(
        "KV_CURSOR_INVALID",
        `${this.name}: list() cursor ${showKey(cursor)} is not one this store returned for prefix ${showKey(scope.prefix)}`,
      )
    }
    return inside
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function"
}

function processEnv(): Readonly<Record<string, unknown>> {
  return (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env ?? {}
}

/**
 * Declares a key-value store with TTL (also `storage.kv`). Its backend comes
 * from `LAYERON_KV` (an embedded SQLite file when unset), or from `driver`.
 *
 * @example
 * const sessions = kv({ name: "user-sessions", namespace: "auth", ttlSeconds: 24 * 60 * 60 })
 * app.use(sessions) // opened when the app starts, closed when it stops
 */
export function kv(options: KVStoreOptions): KVStore {
  return new KVStore(options)
}
