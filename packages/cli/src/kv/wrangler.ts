import type { Entry } from "./entry.js"
import { encodeValue } from "./ndjson.js"

/**
 * `--format wrangler`: the JSON array `wrangler kv bulk put <file>` reads,
 * `[{ "key", "value", "base64"?, "expiration"?, "metadata"? }, ...]`, with
 * `expiration` in whole seconds since the epoch. The metadata is what
 * Layeron's Workers KV driver keeps there (drivers/cloudflare/metadata.ts):
 * `{ "c": content type, "e": exact expiry in ms, "m": the user's metadata,
 * "b": 1 for a value that is not text }`, so an app on Workers reads each
 * entry back exactly as it was; KV rounds the expiry up to the second, the
 * store still ends the entry at `expiresAt`.
 */
export function toWranglerItem(entry: Entry): { json: string; metadataBytes: number } {
  const { value, base64 } = encodeValue(entry.value)
  const packed: Record<string, unknown> = { c: entry.contentType }
  if (entry.expiresAt !== null) packed.e = entry.expiresAt
  if (entry.metadata !== null) packed.m = entry.metadata
  if (base64) packed.b = 1
  const item: Record<string, unknown> = { key: entry.key, value }
  if (base64) item.base64 = true
  if (entry.expiresAt !== null) item.expiration = Math.ceil(entry.expiresAt / 1000)
  item.metadata = packed
  return { json: JSON.stringify(item), metadataBytes: Buffer.byteLength(JSON.stringify(packed)) }
}

/** KV refuses an expiration less than 60 s ahead: such an entry would fail the whole bulk put. */
export const WRANGLER_MIN_TTL_SECONDS = 60
