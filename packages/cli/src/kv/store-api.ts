// The part of a storage.kv store that `layeron kv` uses, written out here so
// that the command works on the store class of whatever @layeron/modules the
// app imports, and on every driver that store can open (sqlite, redis, a
// cluster, Workers KV, and any driver added later), through its public API.

export interface ListedKey {
  readonly name: string
  readonly expiresAt: Date | null
  readonly metadata: unknown
}

export interface KVHandleLike {
  readonly key: string
  readonly contentType: string
  readonly metadata: unknown
  readonly expiresAt: Date | null
  bytes(): Promise<Uint8Array>
}

export interface PutOptionsLike {
  contentType?: string
  ttlSeconds?: number
  expiresAt?: Date | number
  metadata?: unknown
}

export interface StoreOptionsLike {
  name: string
  namespace: string
  ttlSeconds?: number
  portable: boolean
  consistency: string
  shards?: number
  driver?: unknown
}

export interface KVStoreLike {
  readonly name: string
  readonly namespace: string
  readonly storeName: string
  readonly ttlSeconds: number | undefined
  readonly portable: boolean
  readonly consistency: string
  /** A strong store's shard count on Workers, when it sets one. */
  readonly shards?: number | undefined
  start(context: { env: Readonly<Record<string, unknown>>; runtime: "node" | "workers" | "other" }): Promise<void>
  get(key: string): Promise<KVHandleLike | null>
  getMany(keys: readonly string[]): Promise<Map<string, KVHandleLike | null>>
  put(key: string, value: Uint8Array | string, options?: PutOptionsLike): Promise<void>
  delete(key: string): Promise<void>
  list(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<{
    keys: ListedKey[]
    cursor?: string
    complete: boolean
  }>
  close(): Promise<void>
}

/** The key of a store's unordered key walk (KVStore's SCAN_KEYS), on any copy of @layeron/modules that has one. */
const SCAN_KEYS = Symbol.for("layeron.kv.scanKeys")

/**
 * The store's walk over every key name with a prefix, in no order, in
 * batches of at most 1000 (a name may repeat, an expired one may come), or
 * undefined for a store without one (an older @layeron/modules).
 */
export function scanKeysOf(store: KVStoreLike): ((prefix: string) => AsyncIterable<string[]>) | undefined {
  const walk = (store as unknown as Record<symbol, unknown>)[SCAN_KEYS]
  if (typeof walk !== "function") return undefined
  return (prefix) => walk.call(store, prefix) as AsyncIterable<string[]>
}

const METHODS = ["start", "get", "getMany", "put", "delete", "list", "close"] as const

/** Whether an app's module is a storage.kv store (told by its shape, so any copy of @layeron/modules counts). */
export function isKVStore(module: unknown): module is KVStoreLike {
  if (typeof module !== "object" || module === null) return false
  const candidate = module as Record<string, unknown>
  return (
    typeof candidate.namespace === "string" &&
    typeof candidate.storeName === "string" &&
    METHODS.every((method) => typeof candidate[method] === "function")
  )
}

/** `namespace/name`, the way the command addresses a store. */
export function storePath(store: KVStoreLike): string {
  return `${store.namespace}/${store.storeName}`
}

/**
 * A second store like `store` (same name, namespace, TTL and rules) on
 * another backend, made with the app's own store class so that every driver
 * the app's @layeron/modules knows (its URL schemes) is available.
 */
export function sameStoreOn(store: KVStoreLike, driver: unknown, consistency = store.consistency): KVStoreLike {
  const Store = store.constructor as new (options: StoreOptionsLike) => KVStoreLike
  return new Store({
    name: store.storeName,
    namespace: store.namespace,
    ...(store.ttlSeconds === undefined ? {} : { ttlSeconds: store.ttlSeconds }),
    portable: store.portable,
    consistency,
    // Where the store names no driver (Workers), a strong one spreads its keys over its shards.
    ...(driver === undefined && consistency === "strong" && store.shards !== undefined ? { shards: store.shards } : {}),
    ...(driver === undefined ? {} : { driver }),
  })
}
