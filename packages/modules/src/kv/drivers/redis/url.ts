import {
  type ConnectionUrlParts,
  connectionUrlFailure,
  type Fail,
  readHostPort,
  splitConnectionUrl,
} from "../../connection-url.js"

/** Where a Redis driver connects: one server, or the seed nodes of a cluster. */
export interface RedisConfig {
  readonly cluster: boolean
  readonly nodes: readonly { readonly host: string; readonly port: number }[]
  readonly username: string | undefined
  readonly password: string | undefined
  /** Database number; only a standalone server has more than one. */
  readonly db: number
  readonly tls: boolean
  /** `?cache=on`: the in-process read cache kept correct by CLIENT TRACKING (standalone only). */
  readonly cache: boolean
}

export const REDIS_FORMS =
  "redis://[user:password@]host:port[/db], rediss://... (TLS) or redis+cluster://host:port,host:port,..."

const SCHEMES: Record<string, { cluster: boolean; tls: boolean }> = {
  "redis:": { cluster: false, tls: false },
  "rediss:": { cluster: false, tls: true },
  "redis+cluster:": { cluster: true, tls: false },
  "rediss+cluster:": { cluster: true, tls: true },
}

/** True when `url` names a Redis server or cluster (whether or not it is well formed). */
export function isRedisUrl(url: string): boolean {
  const colon = url.indexOf(":")
  return colon > 0 && url.slice(0, colon + 1).toLowerCase() in SCHEMES
}

/**
 * Reads a Redis URL. A wrong one is a one-line `KV_CONFIG_INVALID` that names
 * the variable and never shows the password.
 */
export function parseRedisUrl(url: string, source = "LAYERON_KV"): RedisConfig {
  const fail = connectionUrlFailure(url, source, REDIS_FORMS)
  const scheme = SCHEMES[url.slice(0, url.indexOf(":") + 1).toLowerCase()]
  if (scheme === undefined) return fail("is not a Redis URL")
  const parts = splitConnectionUrl(url, fail, "must start with redis://, rediss:// or redis+cluster://")
  const { username, password } = readCredentials(parts, fail)
  const nodes = parts.hosts.split(",").map((hostPort) => readHostPort(hostPort, 6379, fail))
  if (!scheme.cluster && nodes.length > 1) fail("names several hosts; a cluster URL starts with redis+cluster://")
  let db = 0
  if (parts.path !== "") {
    if (scheme.cluster) fail("has a database number, which a Redis Cluster does not have")
    if (!/^\d{1,5}$/.test(parts.path)) fail(`has "/${parts.path}" where a database number (/0, /1, ...) can go`)
    db = Number(parts.path)
  }
  const cache = readCache(parts.query, fail)
  if (cache && scheme.cluster) fail("asks for the read cache, which works on a standalone server only for now")
  return { cluster: scheme.cluster, nodes, username, password, db, tls: scheme.tls, cache }
}

function readCache(query: string, fail: Fail): boolean {
  if (query === "") return false
  const match = /^cache=(on|off)$/.exec(query)
  if (match === null) return fail(`has "?${query}" where only ?cache=on or ?cache=off can go`)
  return match[1] === "on"
}

function readCredentials(
  { user, password }: ConnectionUrlParts,
  fail: Fail,
): { username: string | undefined; password: string | undefined } {
  try {
    return {
      username: user === undefined ? undefined : decodeURIComponent(user),
      password: password === undefined ? undefined : decodeURIComponent(password),
    }
  } catch {
    return fail("has a user or password that is not valid percent-encoding")
  }
}

/** Where the driver points, for messages: "127.0.0.1:6379" or the cluster's seed nodes. */
export function describeRedis(config: RedisConfig): string {
  const nodes = config.nodes.map(({ host, port }) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`))
  return `${config.cluster ? "Redis Cluster " : "Redis "}${nodes.join(",")}`
}
