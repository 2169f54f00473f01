import { KVError } from "../../errors.js"

/** What naming a store's binding needs to know of it. */
export interface WorkersStore {
  /** For messages: `storage.kv(auth/user-sessions)`. */
  readonly name: string
  readonly namespace: string
  readonly storeName: string
  readonly portable: boolean
}

/** A store's binding on Workers: namespace and name, uppercased, any other character "_" (auth/user-sessions: AUTH_USER_SESSIONS). */
export function workersBindingName(namespace: string, name: string): string {
  return `${namespace}_${name}`.toUpperCase().replace(/[^A-Z0-9]/g, "_")
}

/** The binding a store reads on Workers; a store that lifts the 60 s TTL minimum cannot run there. */
export function workersBindingOf(store: WorkersStore): string {
  if (!store.portable) {
    throw new KVError(
      "KV_CONFIG_INVALID",
      `${store.name}: portable: false allows TTLs under 60 seconds, which Workers KV cannot keep; remove portable: false to run on Cloudflare Workers`,
    )
  }
  return workersBindingName(store.namespace, store.storeName)
}
