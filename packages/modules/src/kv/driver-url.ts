import type { Clock } from "./clock.js"
import type { KVDriver } from "./driver.js"
import { KVError } from "./errors.js"
import { redactCredentials } from "./redact.js"

/** The store used when `LAYERON_KV` is unset: an embedded SQLite file, zero set-up. */
export const DEFAULT_KV_URL = "sqlite:./.layeron/kv.db"

/** What a storage URL names: the driver (`kind`) and what that driver needs to open it, as plain data. */
export interface DriverSpec {
  readonly kind: string
}

/**
 * How a driver is named in a storage URL (`LAYERON_KV`, or a store's `driver`
 * option). Each driver folder has one (`scheme.ts`), and the package entry
 * registers them, so this file and the driver pool name no driver.
 *
 * @example
 * const memoryScheme: UrlScheme<{ kind: "memory" }> = {
 *   kind: "memory",
 *   forms: "memory:",
 *   parse: (url) => (url === "memory:" ? { kind: "memory" } : null),
 *   open: async (_spec, clock) => (await import("./driver.js")).memoryDriver({ clock }),
 * }
 */
export interface UrlScheme<Spec extends DriverSpec = DriverSpec> {
  /** The driver's name, and the `kind` of every spec `parse` returns. */
  readonly kind: Spec["kind"]
  /** How its URLs look, for the message that lists the accepted forms. */
  readonly forms: string
  /**
   * The spec for a URL of this driver, null for any other URL. A URL that is
   * this driver's but malformed throws `KV_CONFIG_INVALID` naming `source`
   * (never the password), so a typo is a one-line error at start-up.
   */
  parse(url: string, source: string): Spec | null
  /** Opens the driver, loading its code (and its client library) only now. */
  open(spec: Spec, clock: Clock): Promise<KVDriver>
}

const schemes: UrlScheme[] = []

/** Makes a driver usable by URL; the message for a wrong URL lists the forms in the order registered. */
export function registerUrlScheme<Spec extends DriverSpec>(scheme: UrlScheme<Spec>): void {
  if (schemes.some((known) => known.kind === scheme.kind)) {
    throw new Error(`a storage URL scheme for the ${scheme.kind} driver is registered already`)
  }
  schemes.push(scheme as unknown as UrlScheme)
}

/**
 * Reads a `LAYERON_KV` value; a wrong one is a one-line error naming the
 * variable and the accepted forms, never the password (whatever the typo).
 */
export function parseKVUrl(url: string, source = "LAYERON_KV"): DriverSpec {
  for (const scheme of schemes) {
    const spec = scheme.parse(url, source)
    if (spec !== null) return spec
  }
  const accepted = schemes.map((scheme) => scheme.forms).join(", ")
  throw new KVError(
    "KV_CONFIG_INVALID",
    `${source}=${JSON.stringify(redactCredentials(url))} is not a storage URL; use ${accepted}`,
  )
}

/** Opens the driver a spec from `parseKVUrl` names. */
export async function openDriver(spec: DriverSpec, clock: Clock): Promise<KVDriver> {
  const scheme = schemes.find((known) => known.kind === spec.kind)
  if (scheme === undefined) throw new Error(`no storage URL scheme is registered for the ${spec.kind} driver`)
  return scheme.open(spec, clock)
}
