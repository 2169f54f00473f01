/**
 * Every limit of storage.kv, in one place. They are Cloudflare Workers KV's,
 * enforced on every driver, so what works locally works when deployed.
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
} as const
