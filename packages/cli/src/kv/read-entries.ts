import { type Entry, entryOf } from "./entry.js"
import { retrying, waitOrThrow } from "./retry.js"
import { type KVStoreLike, scanKeysOf } from "./store-api.js"

/** A list page and a getMany call each take at most this many keys (the store's own limits). */
const PAGE = 1000

/**
 * Every live entry of a store with the prefix, a batch at a time: keys from
 * the store's unordered walk when it has one (one SCAN per Redis master for
 * the whole store, where each ordered list page is a full SCAN), else from
 * list pages in key order; then getMany of that batch. Memory holds one batch
 * (and, for the walk, the names seen, as a walk may repeat one). An entry
 * that expires or is deleted between the two calls is left out, as are
 * entries already expired. `ordered` reads list pages even where the walk
 * exists (bench/kv-scan.ts measures one against the other).
 */
export async function* readEntries(
  store: KVStoreLike,
  prefix = "",
  options: { ordered?: boolean } = {},
): AsyncGenerator<Entry[]> {
  const scan = options.ordered ? undefined : scanKeysOf(store)
  if (scan === undefined) {
    yield* readListed(store, prefix)
    return
  }
  const seen = new Set<string>()
  // A walk that fails for now (KV_UNAVAILABLE) starts over, as a SCAN cursor
  // cannot be resumed by the store; the names already read are skipped.
  for (let attempt = 0; ; attempt++) {
    try {
      for await (const batch of scan(prefix)) {
        const keys = batch.filter((key) => !seen.has(key))
        if (keys.length === 0) continue
        const entries = await entriesOf(store, keys)
        for (const key of keys) seen.add(key)
        yield entries
      }
      return
    } catch (error) {
      await waitOrThrow(error, attempt)
    }
  }
}

async function* readListed(store: KVStoreLike, prefix: string): AsyncGenerator<Entry[]> {
  let cursor: string | undefined
  for (;;) {
    const page = await retrying(() => store.list({ prefix, limit: PAGE, ...(cursor === undefined ? {} : { cursor }) }))
    if (page.keys.length > 0)
      yield await entriesOf(
        store,
        page.keys.map((key) => key.name),
      )
    if (page.complete || page.cursor === undefined) return
    cursor = page.cursor
  }
}

async function entriesOf(store: KVStoreLike, keys: string[]): Promise<Entry[]> {
  const found = await retrying(() => store.getMany(keys))
  const entries: Entry[] = []
  for (const handle of found.values()) if (handle !== null) entries.push(await entryOf(handle))
  return entries
}
