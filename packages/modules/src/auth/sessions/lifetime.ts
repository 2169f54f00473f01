// When a session expires, and when a request renews it.

import { KV_LIMITS } from "../../kv/limits.js"

export interface Lifetimes {
  readonly ttlSeconds: number
  readonly rememberMeTtlSeconds: number
  /** No session lives longer than this from its creation, renewals included. */
  readonly maxAgeSeconds: number | undefined
}

/** The lifetime a new session gets and its expiry (ms since the epoch). */
export function firstExpiry(
  lifetimes: Lifetimes,
  rememberMe: boolean,
  now: number,
): { ttl: number; expiresAt: number } {
  const ttl = rememberMe ? lifetimes.rememberMeTtlSeconds : lifetimes.ttlSeconds
  return { ttl, expiresAt: now + Math.min(ttl, lifetimes.maxAgeSeconds ?? ttl) * 1000 }
}

/**
 * The new expiry of a session used at `now`, or null when it is not due:
 * due once less than half its lifetime is left, extended by a full lifetime
 * from now, never past `maxAgeSeconds` from creation. A renewal that would
 * gain nothing, or end sooner than a store accepts (60 s), is not made.
 */
export function renewedExpiry(
  stored: { readonly c: number; readonly e: number; readonly t: number },
  maxAgeSeconds: number | undefined,
  now: number,
): number | null {
  const lifetime = stored.t * 1000
  if (stored.e - now > lifetime / 2) return null
  const cap = maxAgeSeconds === undefined ? Number.POSITIVE_INFINITY : stored.c + maxAgeSeconds * 1000
  const next = Math.min(now + lifetime, cap)
  if (next <= stored.e || next - now < KV_LIMITS.minTtlSeconds * 1000) return null
  return next
}
