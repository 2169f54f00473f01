import { KV_LIMITS } from "../../limits.js"

// Which object instance holds a key. The hash is part of the stored layout:
// changing it, or the number of shards, would send keys to objects that do
// not hold them, so both are fixed once a store holds data (driver.ts
// refuses another count).

/**
 * Shards of a strong store unless it says otherwise: the most whose list()
 * and getMany() cost about what one shard's do (bench/durable-objects.ts),
 * for 8 times the requests one object serves.
 */
export const DEFAULT_SHARDS = 8
/** A `list()` page asks every shard, so the count is bounded (KV_LIMITS.maxShards). */
export const MAX_SHARDS = KV_LIMITS.maxShards

const encoder = new TextEncoder()

/** The shard of `key`: 32-bit FNV-1a over its UTF-8 bytes, modulo `shards`. */
export function shardOf(key: string, shards: number): number {
  if (shards === 1) return 0
  let hash = 0x811c9dc5
  for (const byte of encoder.encode(key)) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % shards
}

/** The name of shard `index`'s object instance (`idFromName`). */
export function shardName(index: number): string {
  return `shard:${index}`
}
