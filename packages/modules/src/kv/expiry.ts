import { KVError } from "./errors.js"
import { KV_LIMITS } from "./limits.js"
import { describeValue } from "./options.js"
import { checkTtl } from "./validate.js"

/** What an entry's expiry depends on besides the call's options. */
export interface ExpiryContext {
  /** The store's clock, now. */
  readonly now: number
  /** The store's default TTL in seconds, if it has one. */
  readonly storeTtl: number | undefined
  /** The shortest TTL the store accepts (60 s, or 1 s for `portable: false`). */
  readonly minTtl: number
}

/**
 * When an entry written now expires (ms since the epoch, or null for never):
 * a per-call `ttlSeconds` or `expiresAt` wins, else the store's TTL.
 */
export function expiryOf(
  options: { readonly ttlSeconds?: number; readonly expiresAt?: Date | number },
  context: ExpiryContext,
  where: string,
): number | null {
  if (options.ttlSeconds !== undefined && options.expiresAt !== undefined) {
    throw new KVError("KV_OPTIONS_INVALID", `${where}: give ttlSeconds or expiresAt, not both`)
  }
  const { now, storeTtl, minTtl } = context
  if (options.expiresAt !== undefined) return checkExpiresAt(options.expiresAt, now, minTtl, where)
  const ttl = options.ttlSeconds === undefined ? storeTtl : checkTtl(options.ttlSeconds, minTtl, where)
  if (ttl === undefined) return null
  if (now + ttl * 1000 > KV_LIMITS.maxExpiresAt) {
    throw new KVError("KV_TTL_INVALID", `${where}: ttlSeconds ${ttl} reaches past the last date a Date can hold`)
  }
  return now + ttl * 1000
}

function checkExpiresAt(expiresAt: unknown, now: number, minTtl: number, where: string): number {
  const at = expiresAt instanceof Date ? expiresAt.getTime() : expiresAt
  if (typeof at !== "number" || !Number.isFinite(at) || Math.abs(at) > KV_LIMITS.maxExpiresAt) {
    throw new KVError(
      "KV_EXPIRATION_INVALID",
      `${where}: expiresAt must be a valid Date or milliseconds since the epoch, got ${expiresAt instanceof Date ? "an invalid Date" : describeValue(expiresAt)}`,
    )
  }
  if (at < now + minTtl * 1000) {
    throw new KVError(
      "KV_EXPIRATION_INVALID",
      `${where}: expiresAt must be at least ${minTtl} seconds from now, got ${new Date(at).toISOString()}`,
    )
  }
  return at
}
