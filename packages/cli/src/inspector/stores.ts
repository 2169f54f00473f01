import type { LayeronModule } from "@layeron/core"

/** A listed key, as `store.list()` gives it. */
export interface InspectedKey {
  readonly name: string
  readonly expiresAt: Date | null
  readonly metadata: unknown
}

/** An entry, as `store.get()` gives it. */
export interface InspectedEntry {
  readonly contentType: string
  readonly metadata: unknown
  readonly expiresAt: Date | null
  arrayBuffer(): Promise<ArrayBuffer>
}

/** The part of a `storage.kv` store the inspector uses: reads, paged listing and delete. */
export interface InspectableKV {
  list(options: { prefix?: string; limit?: number; cursor?: string }): Promise<{
    keys: readonly InspectedKey[]
    cursor?: string
    complete: boolean
  }>
  get(key: string): Promise<InspectedEntry | null>
  delete(key: string): Promise<void>
}

/** A store as the page shows it. */
export interface InspectedStore {
  /** What the page sends back to name the store; unique among the app's stores. */
  readonly id: string
  /** `namespace/name`. */
  readonly label: string
  /** Shown beside the label: the default TTL, the consistency, the Workers binding. */
  readonly details: readonly string[]
  readonly kv: InspectableKV
}

/** The stores of the running app, asked for on each request, since a reload can change them. */
export type StoreSource = () => Promise<readonly InspectedStore[]>

/** A module that is a `storage.kv` store, told by its shape, so any copy of @layeron/modules the app loaded counts. */
interface KVStoreModule extends LayeronModule, InspectableKV {
  readonly namespace: string
  readonly storeName: string
  readonly ttlSeconds?: number
  readonly consistency?: string
}

function isKVStore(module: LayeronModule): module is KVStoreModule {
  const candidate = module as Partial<KVStoreModule>
  return (
    typeof candidate.namespace === "string" &&
    typeof candidate.storeName === "string" &&
    typeof candidate.list === "function" &&
    typeof candidate.get === "function" &&
    typeof candidate.delete === "function"
  )
}

/**
 * The stores an app declared with `app.use()`, in order, and those a module
 * it declared keeps in its own fields (a sessions module's stores); a store
 * seen twice is shown once.
 */
export function storesOfApp(modules: () => readonly LayeronModule[]): StoreSource {
  return async () => {
    const stores = new Map<string, InspectedStore>()
    const add = (store: KVStoreModule, owner?: string) => {
      const id = storeId(store.namespace, store.storeName)
      if (stores.has(id)) return
      const details = storeDetails(store.ttlSeconds, store.consistency)
      if (owner !== undefined) details.push(`used by ${owner}`)
      stores.set(id, { id, label: `${store.namespace}/${store.storeName}`, details, kv: store })
    }
    for (const module of modules()) {
      if (isKVStore(module)) add(module)
      else for (const value of Object.values(module)) if (isStoreValue(value)) add(value, module.name)
    }
    return [...stores.values()]
  }
}

function isStoreValue(value: unknown): value is KVStoreModule {
  return typeof value === "object" && value !== null && isKVStore(value as LayeronModule)
}

/** Namespace and name may both hold "/", so each is escaped: the id names exactly one store. */
export function storeId(namespace: string, name: string): string {
  return `${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`
}

export function storeDetails(ttlSeconds: number | undefined, consistency: string | undefined): string[] {
  const details = [ttlSeconds === undefined ? "no default TTL" : `TTL ${ttlSeconds} s`]
  if (consistency !== undefined) details.push(consistency)
  return details
}
