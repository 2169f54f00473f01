// The options of storage.kv() and of its calls: their types, the names each
// call accepts (any other is refused, so a typo cannot go unnoticed), and the
// checks of the store's own options.
import type { Consistency } from "./atomic.js"
import type { Clock } from "./clock.js"
import { isAtomicDriver, type KVDriver } from "./driver.js"
import type { KVValue } from "./encode-value.js"
import { KVError } from "./errors.js"
import { KV_LIMITS } from "./limits.js"
import { describeValue } from "./options.js"
import { showKey } from "./validate.js"

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
  /**
   * "strong" enables the atomic operations (`add`, `increment`,
   * `getAndDelete`, `ifVersion`, `update`): a write, once it returns, is seen
   * by every later read anywhere. Default "eventual", where they throw
   * `KV_NOT_ATOMIC` on every driver.
   */
  consistency?: Consistency
  /**
   * A strong store on Cloudflare Workers spreads its keys over this many
   * Durable Object instances (1 to 64, default 8), fixed once it holds data.
   * Other drivers have nothing to shard and ignore it.
   */
  shards?: number
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

export interface ConditionalPutOptions extends PutOptions {
  /** Write only if the entry is at this version (a handle's `version`), or, with null, only if the key is absent. */
  ifVersion?: string | null
}

export interface DeleteOptions {
  /** Delete only if the entry is at this version, or, with null, only if the key is absent (then there is nothing to delete). */
  ifVersion?: string | null
}

/** For a counter that `increment()` creates; a counter that exists keeps its expiry. */
export interface IncrementOptions {
  ttlSeconds?: number
  expiresAt?: Date | number
}

/** What `update()` writes: a new value, null to delete the entry, or undefined to leave it as it is. */
export type UpdateResult = KVValue | null | undefined

export interface ListOptions {
  /** Only keys that start with this; a prefix no key can start with (a lone surrogate, over 512 bytes) lists nothing. */
  prefix?: string
  /** 1 to 1000 (the default). */
  limit?: number
  /** The `cursor` of the previous page, with the same prefix; any other string is refused (KV_CURSOR_INVALID). */
  cursor?: string
}

// The names each option bag accepts; any other name is refused, so a typo cannot go unnoticed.
export const STORE_OPTIONS = ["name", "namespace", "ttlSeconds", "driver", "portable", "clock", "consistency", "shards"]
export const PUT_OPTIONS = ["contentType", "ttlSeconds", "expiresAt", "metadata"]
export const CONDITIONAL_PUT_OPTIONS = [...PUT_OPTIONS, "ifVersion"]
export const DELETE_OPTIONS = ["ifVersion"]
export const INCREMENT_OPTIONS = ["ttlSeconds", "expiresAt"]
export const LIST_OPTIONS = ["prefix", "limit", "cursor"]

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

export function checkStoreName(value: unknown, option: string): string {
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

/** `shards`: a whole number from 1 to 64, on a strong store only (an eventual store on Workers is one KV namespace). */
export function checkShards(value: unknown, consistency: Consistency, name: string): number | undefined {
  if (value === undefined) return undefined
  if (consistency !== "strong") {
    throw new KVError(
      "KV_OPTIONS_INVALID",
      `${name}: shards applies to strong stores only (consistency: "strong"), which Workers spreads over Durable Objects`,
    )
  }
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= KV_LIMITS.maxShards) return value
  throw new KVError(
    "KV_OPTIONS_INVALID",
    `${name}: shards must be a whole number from 1 to ${KV_LIMITS.maxShards}, got ${describeValue(value)}`,
  )
}

/** The options of `storage.kv()` other than the name and TTL, each of the type it must have. */
export function checkStoreOptions(options: KVStoreOptions, name: string): void {
  const { driver, portable, clock } = options
  if (driver !== undefined && typeof driver !== "string" && !isDriver(driver)) {
    throw new KVError(
      "KV_CONFIG_INVALID",
      `${name}: driver must be a storage URL or a driver (with ${DRIVER_METHODS.join(", ")}), got ${describeValue(driver)}`,
    )
  }
  // Every driver a URL names is atomic; Workers refuses a strong store when it binds it (cloudflare-binding.ts).
  if (options.consistency === "strong" && typeof driver === "object" && !isAtomicDriver(driver)) {
    throw new KVError(
      "KV_CONFIG_INVALID",
      `${name}: consistency: "strong" needs a driver with atomic operations (putIf, deleteIf, getAndDelete, increment), and this ${driver.name} driver has none; use sqlite, memory or redis, or declare the store eventual`,
    )
  }
  if (portable !== undefined && typeof portable !== "boolean") {
    throw new KVError("KV_OPTIONS_INVALID", `${name}: portable must be true or false, got ${describeValue(portable)}`)
  }
  if (clock !== undefined && typeof (clock as Partial<Clock> | null)?.now !== "function") {
    throw new KVError("KV_OPTIONS_INVALID", `${name}: clock must have a now() method, got ${describeValue(clock)}`)
  }
}
