import { type Entry, entryOf } from "./entry.js"
import { retrying } from "./retry.js"
import type { KVStoreLike } from "./store-api.js"

/** A list page and a getMany call each take at most this many keys (the store's own limits). */
const PAGE = 1000

/**
 * Every live entry of a store with the prefix, a page at a time, through the
 * store's public API (list, then getMany of that page), so it works on every
 * driver. Memory holds one page. An entry that expires or is deleted between
 * the two calls is left out, as are entries already expired.
 */
export async function* readEntries(store: KVStoreLike, prefix = ""): AsyncGenerator<Entry[]> {
  let cursor: string | undefined
  for (;;) {
    const page = await retrying(() => store.list({ prefix, limit: PAGE, ...(cursor === undefined ? {} : { cursor }) }))
    if (page.keys.length > 0) {
      const found = await retrying(() => store.getMany(page.keys.map((key) => key.name)))
      const entries: Entry[] = []
      for (const handle of found.values()) if (handle !== null) entries.push(await entryOf(handle))
      yield entries
    }
    if (page.complete || page.cursor === undefined) return
    cursor = page.cursor
  }
}
