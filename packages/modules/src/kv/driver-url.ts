import { type Clock, defaultClock } from "./clock.js"
import type { KVDriver } from "./driver.js"
import { isRedisUrl, parseRedisUrl, REDIS_FORMS } from "./drivers/redis/url.js"
import { KVError } from "./errors.js"
import { redactCredentials } from "./redact.js"

/** The store used when `LAYERON_KV` is unset: an embedded SQLite file, zero set-up. */
export const DEFAULT_KV_URL = "sqlite:./.layeron/kv.db"

const ACCEPTED = `sqlite:<path> (the default is sqlite:./.layeron/kv.db), memory:, ${REDIS_FORMS}`

export type DriverSpec =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "memory" }
  | { readonly kind: "redis"; readonly url: string }

/**
 * Reads a `LAYERON_KV` value; a wrong one is a one-line error naming the
 * variable and the accepted forms, never the password (whatever the typo).
 */
export function parseKVUrl(url: string, source = "LAYERON_KV"): DriverSpec {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length)
    if (path.length > 0) return { kind: "sqlite", path }
  } else if (url === "memory:") {
    return { kind: "memory" }
  } else if (isRedisUrl(url)) {
    // Checked now, so a wrong URL is a one-line error at start-up (without the password).
    parseRedisUrl(url, source)
    return { kind: "redis", url }
  }
  throw new KVError(
    "KV_CONFIG_INVALID",
    `${source}=${JSON.stringify(redactCredentials(url))} is not a storage URL; use ${ACCEPTED}`,
  )
}

/** A stable identity for a spec, so that stores on the same backend share one driver. */
function specKey(spec: DriverSpec): string {
  return spec.kind === "sqlite" ? `sqlite:${spec.path}` : spec.kind === "redis" ? spec.url : "memory:"
}

interface Shared {
  driver: Promise<KVDriver>
  users: number
}

const shared = new Map<string, Shared>()

// A shared driver sweeps by the default clock, which tests may move.
const followDefaultClock: Clock = { now: () => defaultClock().now() }

/**
 * The driver for a URL, shared by every store that names the same backend in
 * this process (one SQLite connection, one memory map). Release it when done:
 * the last release closes it. Drivers load on demand, so an app on SQLite
 * never loads a Redis client.
 */
export function acquireDriver(spec: DriverSpec): { driver: Promise<KVDriver>; release: () => Promise<void> } {
  const key = specKey(spec)
  let entry = shared.get(key)
  if (entry === undefined) {
    const opening = openDriver(spec, followDefaultClock)
    const created: Shared = { driver: opening, users: 0 }
    entry = created
    shared.set(key, created)
    opening.catch(() => {
      if (shared.get(key) === created) shared.delete(key)
    })
  }
  entry.users++
  const held = entry
  let released = false
  const release = async () => {
    if (released) return
    released = true
    held.users--
    if (held.users > 0) return
    if (shared.get(key) === held) shared.delete(key)
    const driver = await held.driver.catch(() => undefined)
    await driver?.close()
  }
  return { driver: held.driver, release }
}

async function openDriver(spec: DriverSpec, clock: Clock): Promise<KVDriver> {
  switch (spec.kind) {
    case "sqlite": {
      // A Worker bundle resolves this to a stand-in (see "imports" in package.json).
      const { sqliteDriver } = await import("#kv-driver/sqlite")
      return sqliteDriver({ path: spec.path, clock })
    }
    case "memory": {
      const { memoryDriver } = await import("./drivers/memory/index.js")
      return memoryDriver({ clock })
    }
    case "redis": {
      // A Worker bundle resolves this to a stand-in too: no Redis client in a Worker.
      const { redisDriver } = await import("#kv-driver/redis")
      return redisDriver({ url: spec.url, clock })
    }
  }
}
