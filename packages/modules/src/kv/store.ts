import type { LayeronModule, ModuleContext, WorkersBinding } from "@layeron/core"
import { type Clock, defaultClock } from "./clock.js"
import type { KVDriver, StoredEntry } from "./driver.js"
import { acquireDriver, DEFAULT_KV_URL, parseKVUrl } from "./driver-url.js"
import { workersBindingOf } from "./drivers/cloudflare-binding.js"
import { type EncodedValue, encodeValue, type KVValue } from "./encode-value.js"
import { KVError } from "./errors.js"
import { KVHandle } from "./handle.js"
import { KV_LIMITS } from "./limits.js"
import { checkContentType, checkTtl, isReadableKey, keyProblem, metadataJson, showKey } from "./validate.js"

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
  prefix?: string
  /** 1 to 1000 (the default). */
  limit?: number
  /** The `cursor` of the previous page. */
  cursor?: string
}

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
    throw new KVError(
      "KV_OPTIONS_INVALID",
      `storage.kv: ${option} must be a string of 1 to 256 characters of valid Unicode, got ${showKey(value)}`,
    )
  }
  return value
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
    if (typeof options !== "object" || options === null) {
      throw new KVError("KV_OPTIONS_INVALID", "storage.kv() takes options: { name, namespace?, ttlSeconds? }")
    }
    this.storeName = checkStoreName(options.name, "name")
    this.namespace = checkStoreName(options.namespace ?? "default", "namespace")
    this.name = `storage.kv(${this.namespace}/${this.storeName})`
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
    return [{ type: "kv_namespace", binding: workersBindingOf(this) }]
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
    if (runtime === "workers" && option === undefined) {
      // Loaded only on Workers, so that the driver adds nothing elsewhere.
      const { driverFromEnv } = await import("./drivers/cloudflare.js")
      return driverFromEnv(env, this)
    }
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

  /** The entry, or null if it is missing or expired (or the key could never be stored). */
  async get(key: string): Promise<KVHandle | null> {
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

  async has(key: string): Promise<boolean> {
    if (!isReadableKey(key)) return false
    const entry = await this.call("has", key, (driver) => driver.get(this.prefix + key))
    return this.isLive(entry, this.now())
  }

  /** Each key's entry (null if missing or expired), in the order given, in one round trip where the backend allows. */
  async getMany(keys: readonly string[]): Promise<Map<string, KVHandle | null>> {
    if (!Array.isArray(keys)) {
      throw new KVError("KV_OPTIONS_INVALID", `${this.name}: getMany() takes an array of keys`)
    }
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

  async put(key: string, value: KVValue, options: PutOptions = {}): Promise<void> {
    const problem = keyProblem(key)
    if (problem !== null) throw new KVError("KV_KEY_INVALID", `${this.name}: key ${showKey(key)} ${problem}`)
    const where = this.where(key)
    if (typeof options !== "object" || options === null) {
      throw new KVError("KV_OPTIONS_INVALID", `${where}: put() options must be an object`)
    }
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
        `${where}: expiresAt must be a valid Date or milliseconds since the epoch, got ${String(expiresAt)}`,
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
  async delete(key: string): Promise<void> {
    if (!isReadableKey(key)) return
    await this.call("delete", key, (driver) => driver.delete(this.prefix + key))
  }

  /** Keys in UTF-8 byte order, a page at a time; never an expired one. */
  async list(options: ListOptions = {}): Promise<ListResult> {
    const prefix = options.prefix ?? ""
    const limit = options.limit ?? KV_LIMITS.maxListLimit
    if (typeof prefix !== "string") {
      throw new KVError("KV_OPTIONS_INVALID", `${this.name}: list() prefix must be a string`)
    }
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > KV_LIMITS.maxListLimit) {
      throw new KVError(
        "KV_OPTIONS_INVALID",
        `${this.name}: list() limit must be a whole number from 1 to ${KV_LIMITS.maxListLimit}, got ${String(limit)}`,
      )
    }
    if (options.cursor !== undefined && (typeof options.cursor !== "string" || options.cursor === "")) {
      throw new KVError("KV_CURSOR_INVALID", `${this.name}: list() cursor must be the string a previous page returned`)
    }
    const now = this.now()
    const page = await this.call("list", undefined, (driver) =>
      driver.list({ prefix: this.prefix + prefix, limit, cursor: options.cursor ?? null, now }),
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
    return page.cursor === null ? { keys, complete: true } : { keys, cursor: page.cursor, complete: false }
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function"
}

function processEnv(): Readonly<Record<string, unknown>> {
  return (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env ?? {}
}

/** Declares a key-value store with TTL. */
export function kv(options: KVStoreOptions): KVStore {
  return new KVStore(options)
}
