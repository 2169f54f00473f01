import type { DriverListOptions, ListedEntry, ListPage } from "../../driver.js"
import { compareKeys } from "../../key-order.js"
import { fromRedisKey, scanPattern, toRedisKey } from "./keys.js"

/** What listing needs from Redis: every master's keys, and the header of some entries. */
export interface ListSource {
  /** Calls `visit` with each batch of one full SCAN over every master (a key may come twice). */
  scan(pattern: string, visit: (redisKeys: string[]) => void): Promise<void>
  /** Each key's expiry and metadata, or null when it is gone; one round trip per master. */
  headers(redisKeys: string[]): Promise<({ expiresAt: number | null; metadata: string | null } | null)[]>
}

/**
 * A page of keys in UTF-8 byte order, like every other driver. SCAN returns
 * keys in hash order, so each page is one full SCAN of the prefix across every
 * master that keeps only the smallest keys after the cursor (memory bounded
 * by the page size). The cursor is the last key returned, so a page is
 * neither skipped nor repeated when keys move between masters (resharding,
 * failover), which a master-and-SCAN-cursor pair cannot promise.
 */
export async function listPage(source: ListSource, options: DriverListOptions): Promise<ListPage> {
  const { prefix, limit, now } = options
  const pattern = scanPattern(prefix)
  const entries: ListedEntry[] = []
  let after = options.cursor
  // Usually one pass. Another is needed only when keys the store sees as
  // expired are still in Redis (its clock runs ahead of Redis's, as in tests).
  for (;;) {
    const want = limit - entries.length + 1
    const { keys, more } = await smallestAfter(source, pattern, prefix, after, want)
    const headers = await source.headers(keys.map(toRedisKey))
    for (const [index, key] of keys.entries()) {
      const header = headers[index]
      if (header == null || (header.expiresAt !== null && header.expiresAt <= now)) continue
      if (entries.length === limit) return { entries, cursor: entries[limit - 1]?.key as string }
      entries.push({ key, expiresAt: header.expiresAt, metadata: header.metadata })
    }
    if (!more) return { entries, cursor: null }
    after = keys[keys.length - 1] ?? after
  }
}

/** The `want` smallest store keys after `after` that start with `prefix`, and whether any were left out. */
async function smallestAfter(
  source: ListSource,
  pattern: string,
  prefix: string,
  after: string | null,
  want: number,
): Promise<{ keys: string[]; more: boolean }> {
  let kept: string[] = []
  let more = false
  const trim = () => {
    kept = [...new Set(kept)].sort(compareKeys)
    if (kept.length > want) {
      kept.length = want
      more = true
    }
  }
  await source.scan(pattern, (redisKeys) => {
    for (const redisKey of redisKeys) {
      const key = fromRedisKey(redisKey)
      // Kept keys are all below the largest kept one once trimmed; skip what cannot make the page.
      if (key === null || !key.startsWith(prefix) || (after !== null && compareKeys(key, after) <= 0)) continue
      if (more && kept.length >= want && compareKeys(key, kept[want - 1] as string) >= 0) continue
      kept.push(key)
    }
    if (kept.length >= want * 2) trim()
  })
  trim()
  return { keys: kept, more }
}
