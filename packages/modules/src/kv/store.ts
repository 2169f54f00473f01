import type { LayeronModule, ModuleContext, WorkersBinding } from "@layeron/core"
import { type Clock, defaultClock } from "./clock.js"
import type { KVDriver, StoredEntry } from "./driver.js"
import { acquireDriver } from "./driver-pool.js"
import { DEFAULT_KV_URL, parseKVUrl } from "./driver-url.js"
import { type EncodedValue, encodeValue, type KVValue } from "./encode-value.js"
import { KVError } from "./errors.js"
import { KVHandle } from "./handle.js"
import { KV_LIMITS } from "./limits.js"
import { type CursorScope, decodeListCursor, encodeListCursor } from "./list-cursor.js"
import { checkOptionNames, describeValue, isOptionBag, refuseOptions } from "./options.js"
import {
  checkContentType,
  checkTtl,
  isMatchablePrefix,
  isReadableKey,
  keyProblem,
  metadataJson,
  showKey,
} from "./validate.js"
import { workersDriver } from "./workers-driver.js"

export interface KVStoreOptions {
  /** The store's name; with the namespace it scopes the keys. */
  name: string
  /** Groups stores; default "default". */
  namespace?: string
  /** Default TTL of every entry, in seconds (at least 60); default: no expiry. */
  ttlSeconds?: number
  /** A driver instance, or a storage URL; default: `LAYERON_KV`, else the embedded SQLite file. */
  driver?: KVDriver | string
  /** false lifts the 60 s TTL minimum on drivers that can expire sooner; Workers refuses such a store. */
  portable?: boolean
  /** Where the store reads the time; tests pass one they can move. */
  clock?: Clock
}

export interface PutOptions {
  /** Default: implied by the value's type. */
  contentType?: string
  /** Seconds from now; wins over the store's default. */
  ttlSeconds?: number
  /** An absolute expiry (a Date, or milliseconds since the epoch); wins over the store's default. */
  expiresAt?: Date | number
  /** Up to 1024 bytes of JSON, returned on the handle and by `list()`. */
  metadata?: unknown
}

export interface ListOptions {
  /** Only keys that start with this; a prefix no key can start with (a lone surrogate, over 512 bytes) lists nothing. */
  prefix?: string
  /** 1 to 1000 (the default). */
  limit?: number
  /** The `cursor` of the previous page, with the same prefix; any other string is refused (KV_CURSOR_INVALID). */
  cursor?: string
}

// The names each option bag accepts; any other name is refused, so a typo cannot go unnoticed.
const STORE_OPTIONS = ["name", "namespace", "ttlSeconds", "driver", "portable", "clock"]
const PUT_OPTIONS = ["contentType", "ttlSeconds", "expiresAt", "metadata"]
const LIST_OPTIONS = ["prefix", "limit", "cursor"]
const READ_HINT = "; read the handle with text(), json(), arrayBuffer(), bytes() or stream()"

export interface ListedKey {
  readonly name: string
  readonly expiresAt: Date | null
  readonly metadata: unknown
}

export interface ListResult {
  readonly keys: ListedKey[]
  /** Present when there are more keys: pass it to the next `list()`. */
  readonly cursor?: string
  readonly complete: boolean
}

/** Encodes a store's scope so no namespace, name or key can reach into another store's keys. */
function scopePrefix(namespace: string, name: string): string {
  return `${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/`
}

function checkStoreName(value: unknown, option: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 256 || /[\uD800-\uDFFF]/u.test(value)) {
    const got = typeof value === "string" ? showKey(value) : describeValue(value)
    throw new KVError(
      "KV_OPTIONS_INVALID",
      `storage.kv: ${option} must be a string of 1 to 256 characters of valid Unicode, got ${got}`,
    )
  }
  return value
}

const DRIVER_METHODS = ["get", "getMany", "put", "delete", "list", "close"] as const

function isDriver(value: unknown): value is KVDriver {
  if (typeof value !== "object" || value === null) return false
  const candidate = value as Record<string, unknown>
  return DRIVER_METHODS.every((method) => typeof candidate[method] === "function")
}

/** The options of `storage.kv()` other than the name and TTL, each of the type it must have. */
function checkStoreOptions(options: KVStoreOptions, name: string): void {
  const { driver, portable, clock } = options
  if (driver !== undefined && typeof driver !== "string" && !isDriver(driver)) {
    throw new KVError(
      "KV_CONFIG_INVALID",
      `${name}: driver must be a storage URL or a driver (with ${DRIVER_METHODS.join(", ")}), got ${describeValue(driver)}`,
    )
  }
  if (portable !== undefined && typeof portable !== "boolean") {
    throw new KVError("KV_OPTIONS_INVALID", `${name}: portable must be true or false, got ${describeValue(portable)}`)
  }
  if (clock !== undefined && typeof (clock as Partial<Clock> | null)?.now !== "function") {
    throw new KVError("KV_OPTIONS_INVALID", `${name}: clock must have a now() method, got ${describeValue(clock)}`)
  }
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
    return [{ type: "kv_namespace", binding: workersDriver().bindingOf(this) }]
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
      return await run(driver)
    } catch (error) {
      throw this.driverError(operation, key, driver, error)
    }
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
    return this.isLive(entry, this.now()) ? new KVHandle(this.name, key, entry) : null
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
      if (this.isLive(entry, now)) result.set(key, new KVHandle(this.name, key, entry))
    })
    return result
  }

  /**
   * Stores `value` under `key`, replacing any entry there. Every option is
   * checked before anything is written; a bad one is a `KVError` naming it.
   *
   * @example
   * await sessions.put(`session:${token}`, JSON.stringify({ userId }), {
   *   contentType: "application/json",
   *   ttlSeconds: 60 * 60, // wins over the store's ttlSeconds
   *   metadata: { userId }, // returned by list() without reading the value
   * })
   */
  async put(key: string, value: KVValue, options?: PutOptions): Promise<void> {
    const problem = keyProblem(key)
    if (problem !== null) throw new KVError("KV_KEY_INVALID", `${this.name}: key ${showKey(key)} ${problem}`)
    const where = this.where(key)
    if (isOptionBag(options, `${where}: put()`)) checkOptionNames(options, PUT_OPTIONS, `${where}: put()`)
    await this.write(key, value, options ?? {}, where)
  }

  private async write(key: string, value: KVValue, options: PutOptions, where: string): Promise<void> {
    const contentType = options.contentType === undefined ? undefined : checkContentType(options.contentType, where)
    const metadata = metadataJson(options.metadata, where)
    const expiresAt = this.expiryFor(options, where)
    const encoded: EncodedValue = await encodeValue(value, where)
    const entry: StoredEntry = {
      value: encoded.bytes,
      contentType: contentType ?? encoded.defaultContentType,
      metadata,
      expiresAt,
    }
    await this.call("put", key, (driver) => driver.put(this.prefix + key, entry))
  }

  private expiryFor(options: PutOptions, where: string): number | null {
    if (options.ttlSeconds !== undefined && options.expiresAt !== undefined) {
      throw new KVError("KV_OPTIONS_INVALID", `${where}: give ttlSeconds or expiresAt, not both`)
    }
    const now = this.now()
    if (options.expiresAt !== undefined) return this.checkExpiresAt(options.expiresAt, now, where)
    const ttl = options.ttlSeconds === undefined ? this.ttlSeconds : checkTtl(options.ttlSeconds, this.minTtl, where)
    if (ttl === undefined) return null
    if (now + ttl * 1000 > KV_LIMITS.maxExpiresAt) {
      throw new KVError("KV_TTL_INVALID", `${where}: ttlSeconds ${ttl} reaches past the last date a Date can hold`)
    }
    return now + ttl * 1000
  }

  private checkExpiresAt(expiresAt: unknown, now: number, where: string): number {
    const at = expiresAt instanceof Date ? expiresAt.getTime() : expiresAt
    if (typeof at !== "number" || !Number.isFinite(at) || Math.abs(at) > KV_LIMITS.maxExpiresAt) {
      throw new KVError(
        "KV_EXPIRATION_INVALID",
        `${where}: expiresAt must be a valid Date or milliseconds since the epoch, got ${expiresAt instanceof Date ? "an invalid Date" : describeValue(expiresAt)}`,
      )
    }
    if (at < now + this.minTtl * 1000) {
      throw new KVError(
        "KV_EXPIRATION_INVALID",
        `${where}: expiresAt must be at least ${this.minTtl} seconds from now, got ${new Date(at).toISOString()}`,
      )
    }
    return at
  }

  /** Removes the entry; removing a missing key is fine. */
  async delete(key: string, options?: never): Promise<void> {
    if (options !== undefined) refuseOptions(options, `${this.name}: delete()`)
    if (!isReadableKey(key)) return
    await this.call("delete", key, (driver) => driver.delete(this.prefix + key))
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
