import { KVError } from "./errors.js"
import { redactCredentials } from "./redact.js"

/**
 * What the URL drivers (postgres, redis) share in reading a connection URL,
 * `scheme://[user[:password]@]hosts[/path][?query]`, split by hand because a
 * generated password may hold "/", "?", "#", "@" or ":": the credentials end
 * at the last "@". Each driver decodes and checks the parts its own way.
 */
export interface ConnectionUrlParts {
  /** Still percent-encoded; undefined when absent or empty. */
  readonly user: string | undefined
  /** Still percent-encoded; undefined when absent or empty. */
  readonly password: string | undefined
  /** Between the credentials and the first "/" or "?": one host:port, or several joined by ",". */
  readonly hosts: string
  /** After the "/" that ends the hosts, up to the "?"; "" without one. */
  readonly path: string
  /** After the "?"; "" without one. */
  readonly query: string
}

/** Throws a problem with the URL as a driver's invalid configuration. */
export type Fail = (problem: string) => never

/**
 * The one-line `KV_CONFIG_INVALID` a wrong URL gives: it names the variable,
 * quotes the URL with its password redacted, and shows the forms accepted.
 */
export function connectionUrlFailure(url: string, source: string, forms: string): Fail {
  return (problem) => {
    const shown = JSON.stringify(redactCredentials(url))
    throw new KVError("KV_CONFIG_INVALID", `${source}=${shown} ${problem}; use ${forms}`)
  }
}

/**
 * Splits `url` after its scheme's ":". The credentials are split off first,
 * so the rest, which messages may quote, never holds any part of the password.
 * A URL without "//" after the scheme fails with `noSlashes`.
 */
export function splitConnectionUrl(url: string, fail: Fail, noSlashes: string): ConnectionUrlParts {
  const rest = url.slice(url.indexOf(":") + 1)
  if (!rest.startsWith("//")) return fail(noSlashes)
  const afterSlashes = rest.slice(2)
  const at = afterSlashes.lastIndexOf("@")
  const credentials = at === -1 ? undefined : afterSlashes.slice(0, at)
  const address = afterSlashes.slice(at + 1)
  const question = address.indexOf("?")
  const beforeQuery = question === -1 ? address : address.slice(0, question)
  const slash = beforeQuery.indexOf("/")
  const colon = credentials?.indexOf(":") ?? -1
  const user = credentials === undefined || colon === -1 ? credentials : credentials.slice(0, colon)
  const password = credentials === undefined || colon === -1 ? undefined : credentials.slice(colon + 1)
  return {
    user: user === "" ? undefined : user,
    password: password === "" ? undefined : password,
    hosts: slash === -1 ? beforeQuery : beforeQuery.slice(0, slash),
    path: slash === -1 ? "" : beforeQuery.slice(slash + 1),
    query: question === -1 ? "" : address.slice(question + 1),
  }
}

/**
 * Reads one `host[:port]`: `[::1]:port` for IPv6, `defaultPort` when none is
 * given. `readHost` decodes the host where the driver allows an encoded one.
 */
export function readHostPort(
  hostPort: string,
  defaultPort: number,
  fail: Fail,
  readHost: (host: string) => string = (host) => host,
): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/]+)(?::(\d{1,5}))?$/.exec(hostPort)
  if (match === null) return fail(`has "${hostPort}" where host:port goes`)
  const host = readHost((match[1] as string).replace(/^\[(.*)\]$/, "$1"))
  const port = match[2] === undefined ? defaultPort : Number(match[2])
  if (port < 1 || port > 65535) fail(`has port ${port}, outside 1 to 65535`)
  return { host, port }
}
