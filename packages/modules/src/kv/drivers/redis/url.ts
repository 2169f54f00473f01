import { KVError } from "../../errors.js"
import { redactCredentials } from "../../redact.js"

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
  const fail = (problem: string): never => {
    const shown = JSON.stringify(redactCredentials(url))
    throw new KVError("KV_CONFIG_INVALID", `${source}=${shown} ${problem}; use ${REDIS_FORMS}`)
  }
  const colon = url.indexOf(":")
  const scheme = SCHEMES[url.slice(0, colon + 1).toLowerCase()]
  if (scheme === undefined) return fail("is not a Redis URL")
  const rest = url.slice(colon + 1)
  if (!rest.startsWith("//")) return fail("must start with redis://, rediss:// or redis+cluster://")
  // The credentials end at the last "@", so a password may hold "/", "?" or "@", and they are split
  // off first: the rest, which messages quote, never holds any part of the password.
  const afterSlashes = rest.slice(2)
  const at = afterSlashes.lastIndexOf("@")
  const credentials = at === -1 ? undefined : afterSlashes.slice(0, at)
  const address = afterSlashes.slice(at + 1)
  const question = address.indexOf("?")
  const query = question === -1 ? "" : address.slice(question + 1)
  const beforeQuery = question === -1 ? address : address.slice(0, question)
  const slash = beforeQuery.indexOf("/")
  const hosts = slash === -1 ? beforeQuery : beforeQuery.slice(0, slash)
  const path = slash === -1 ? "" : beforeQuery.slice(slash + 1)
  const { username, password } = readCredentials(credentials, fail)
  const nodes = hosts.split(",").map((hostPort) => readHostPort(hostPort, fail))
  if (!scheme.cluster && nodes.length > 1) fail("names several hosts; a cluster URL starts with redis+cluster://")
  let db = 0
  if (path !== "") {
    if (scheme.cluster) fail("has a database number, which a Redis Cluster does not have")
    if (!/^\d{1,5}$/.test(path)) fail(`has "/${path}" where a database number (/0, /1, ...) can go`)
    db = Number(path)
  }
  const cache = readCache(query, fail)
  if (cache && scheme.cluster) fail("asks for the read cache, which works on a standalone server only for now")
  return { cluster: scheme.cluster, nodes, username, password, db, tls: scheme.tls, cache }
}

function readCache(query: string, fail: (problem: string) => never): boolean {
  if (query === "") return false
  const match = /^cache=(on|off)$/.exec(query)
  if (match === null) return fail(`has "?${query}" where only ?cache=on or ?cache=off can go`)
  return match[1] === "on"
}

function readCredentials(
  credentials: string | undefined,
  fail: (problem: string) => never,
): { username: string | undefined; password: string | undefined } {
  if (credentials === undefined) return { username: undefined, password: undefined }
  const colon = credentials.indexOf(":")
  const user = colon === -1 ? credentials : credentials.slice(0, colon)
  const pass = colon === -1 ? undefined : credentials.slice(colon + 1)
  try {
    return {
      username: user === "" ? undefined : decodeURIComponent(user),
      password: pass === undefined || pass === "" ? undefined : decodeURIComponent(pass),
    }
  } catch {
    return fail("has a user or password that is not valid percent-encoding")
  }
}

function readHostPort(hostPort: string, fail: (problem: string) => never): { host: string; port: number } {
  // [::1]:6379 for IPv6; the default port is Redis's.
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/.exec(hostPort)
  if (match === null) return fail(`has "${hostPort}" where host:port goes`)
  const host = (match[1] as string).replace(/^\[(.*)\]$/, "$1")
  const port = match[2] === undefined ? 6379 : Number(match[2])
  if (port < 1 || port > 65535) fail(`has port ${port}, outside 1 to 65535`)
  return { host, port }
}

/** Where the driver points, for messages: "127.0.0.1:6379" or the cluster's seed nodes. */
export function describeRedis(config: RedisConfig): string {
  const nodes = config.nodes.map(({ host, port }) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`))
  return `${config.cluster ? "Redis Cluster " : "Redis "}${nodes.join(",")}`
}
