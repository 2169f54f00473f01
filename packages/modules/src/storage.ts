import { kv } from "./kv/store.js"

/** The storage modules: `storage.kv({ name, namespace?, ttlSeconds? })`. */
export const storage = { kv } as const
