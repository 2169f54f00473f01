/**
 * Every limit of storage.kv, in one place, enforced on every driver. They are
 * Cloudflare Workers KV's, so what works locally works when deployed, and one
 * of Layeron's own: the keys of one getMany.
 */
export const KV_LIMITS = {
  /** A key is 1 to 512 UTF-8 bytes. */
  maxKeyBytes: 512,
  /** A value is at most 25 MiB. */
  maxValueBytes: 25 * 1024 * 1024,
  /** User metadata is at most 1024 bytes as JSON. */
  maxMetadataBytes: 1024,
  /** A content type is at most this many bytes. */
  maxContentTypeBytes: 256,
  /** A TTL is a whole number of seconds, at least 60 (unless `portable: false`). */
  minTtlSeconds: 60,
  /** The smallest TTL a `portable: false` store accepts. */
  minNonPortableTtlSeconds: 1,
  /** The last instant a Date can hold (year 275760): an expiry past it is refused. */
  maxExpiresAt: 8_640_000_000_000_000,
  /** `list()` returns at most 1000 keys a page. */
  maxListLimit: 1000,
  /**
   * `getMany()` takes at most 1000 keys a call, a `list()` page: on a busy
   * 2-core machine such a call took at most 45-190 ms on a 3-master Redis
   * Cluster, 5000 keys up to 280-360 ms (bench/redis-get-many.ts); on Workers
   * it is 10 bulk reads.
   */
  maxGetManyKeys: 1000,
  /** A strong store on Workers spreads its keys over at most 64 Durable Objects: a `list()` page asks each of them. */
  maxShards: 64,
} as const
