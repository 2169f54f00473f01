// auth.sessions() options, checked when the module is declared: a wrong one
// is a KVError naming it, never a session that lives longer than meant.

import type { Clock } from "../../kv/clock.js"
import type { KVDriver } from "../../kv/driver.js"
import { KVError } from "../../kv/errors.js"
import { KV_LIMITS } from "../../kv/limits.js"
import { checkOptionNames, describeValue, isOptionBag } from "../../kv/options.js"
import { type CookieOptions, type CookieSettings, cookieProblem, cookieSettings } from "./cookie.js"
import type { Lifetimes } from "./lifetime.js"

export interface SessionsOptions {
  /** The store's namespace; default "auth". Sessions live in the store `<namespace>/sessions`. */
  readonly namespace?: string
  /** Lifetime of a session, in seconds; default 86400 (24 hours). */
  readonly ttlSeconds?: number
  /** Lifetime of a `rememberMe` session; default 2592000 (30 days). */
  readonly rememberMeTtlSeconds?: number
  /** No session lives longer than this from its creation, however often it renews; default no cap. */
  readonly maxAgeSeconds?: number
  /** Extend a session used after half its lifetime; default true. Needs a strong store. */
  readonly renew?: boolean
  /** The session cookie's settings, or false for Bearer tokens only. */
  readonly cookie?: CookieOptions | false
  /** Default "strong": a revocation is seen by the next request everywhere. */
  readonly consistency?: "strong" | "eventual"
  /** As for storage.kv(): a LAYERON_KV URL or a driver; default the app's LAYERON_KV. */
  readonly driver?: KVDriver | string
  /** As for storage.kv(): where time comes from; default the stores' clock (useFakeClock() moves it). */
  readonly clock?: Clock
}

export interface SessionsSettings extends Lifetimes {
  readonly namespace: string
  readonly renew: boolean
  readonly cookie: CookieSettings | null
  readonly consistency: "strong" | "eventual"
}

const OPTION_NAMES = [
  "namespace",
  "ttlSeconds",
  "rememberMeTtlSeconds",
  "maxAgeSeconds",
  "renew",
  "cookie",
  "consistency",
  "driver",
  "clock",
]
const CALL = "auth.sessions()"

function invalid(message: string): KVError {
  return new KVError("KV_OPTIONS_INVALID", `${CALL}: ${message}`)
}

function seconds(value: unknown, option: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < KV_LIMITS.minTtlSeconds) {
    throw new KVError(
      "KV_TTL_INVALID",
      `${CALL}: ${option} must be a whole number of seconds, at least ${KV_LIMITS.minTtlSeconds}; got ${describeValue(value)}`,
    )
  }
  return value
}

export function sessionsSettings(options: SessionsOptions | undefined): SessionsSettings {
  if (!isOptionBag(options, CALL)) options = {}
  checkOptionNames(options, OPTION_NAMES, CALL)
  if (options.renew !== undefined && typeof options.renew !== "boolean") {
    throw invalid(`renew must be a boolean, got ${describeValue(options.renew)}`)
  }
  const consistency = options.consistency ?? "strong"
  const renew = options.renew ?? true
  if (renew && consistency !== "strong") {
    throw invalid(
      'renew needs consistency: "strong": a renewal on an eventual store could bring back a session revoked meanwhile; declare the store strong or pass renew: false',
    )
  }
  let cookie: CookieSettings | null = null
  if (options.cookie !== false) {
    const given = options.cookie ?? {}
    if (isOptionBag(given, `${CALL} cookie`))
      checkOptionNames(given, ["name", "domain", "sameSite", "secure"], `${CALL} cookie`)
    const problem = cookieProblem(given)
    if (problem !== null) throw invalid(problem)
    cookie = cookieSettings(given)
  }
  return {
    namespace: options.namespace ?? "auth",
    ttlSeconds: seconds(options.ttlSeconds, "ttlSeconds", 86_400) as number,
    rememberMeTtlSeconds: seconds(options.rememberMeTtlSeconds, "rememberMeTtlSeconds", 2_592_000) as number,
    maxAgeSeconds: seconds(options.maxAgeSeconds, "maxAgeSeconds", undefined),
    renew,
    cookie,
    consistency,
  }
}
