import type { Entry } from "./entry.js"
import { type KVStoreLike, sameStoreOn } from "./store-api.js"

/**
 * A driver that keeps nothing, so that a store on it checks an entry exactly
 * as the real store will (key, value size, content type, metadata, expiry:
 * the store validates before its driver sees anything) without writing it.
 * An import checks each line this way before any of its batch is written.
 */
const KEEPS_NOTHING = {
  name: "check",
  get: () => null,
  getMany: (keys: readonly string[]) => keys.map(() => null),
  put: () => undefined,
  delete: () => undefined,
  list: () => ({ entries: [], cursor: null }),
  close: () => undefined,
}

export type EntryChecker = (entry: Entry) => Promise<void>

export function entryChecker(store: KVStoreLike): EntryChecker {
  // Eventual: a strong store only demands atomic operations of its driver, which plain puts never use.
  const checking = sameStoreOn(store, KEEPS_NOTHING, "eventual")
  return (entry) => checking.put(entry.key, entry.value, putOptions(entry))
}

/** The options that write an entry as it was: its content type, metadata and absolute expiry. */
export function putOptions(entry: Entry): { contentType: string; metadata?: unknown; expiresAt?: number } {
  return {
    contentType: entry.contentType,
    ...(entry.metadata === null ? {} : { metadata: entry.metadata }),
    ...(entry.expiresAt === null ? {} : { expiresAt: entry.expiresAt }),
  }
}
