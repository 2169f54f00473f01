import { KVError } from "../../errors.js"
import { redactCredentials } from "../../redact.js"

/** How the driver talks TLS: libpq's `sslmode` values that a Node.js client can honour. */
export type SslMode = "disable" | "require" | "verify-ca" | "verify-full"

/** Where a postgres driver connects, read from its URL. */
export interface PostgresConfig {
  /** A host name, an IP address, or a folder holding the server's Unix socket (starts with "/"). */
  readonly host: string
  readonly port: number
  /** Unset: the client's default, the operating-system user, as psql does. */
  readonly user: string | undefined
  readonly password: string | undefined
  /** Unset: the user's name, as psql does. */
  readonly database: string | undefined
  readonly sslmode: SslMode
  /** `?pool=N`: connections this process keeps at most; unset, the driver's default. */
  readonly pool: number | undefined
}

export const POSTGRES_FORMS =
  "postgres://[user[:password]@]host[:port][/database][?sslmode=require&pool=10], postgresql://..."

const SSL_MODES: readonly string[] = ["disable", "require", "verify-ca", "verify-full"]

/** True when `url` names a PostgreSQL server (whether or not it is well formed). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:/i.test(url)
}

/**
 * Reads a PostgreSQL URL. A wrong one is a one-line `KV_CONFIG_INVALID` that
 * names the variable and never shows the password: the credentials end at the
 * last "@", so a password may hold "/", "?", "#", "@" or ":" as generated.
 */
export function parsePostgresUrl(url: string, source = "LAYERON_KV"): PostgresConfig {
  const fail = (problem: string): never => {
    const shown = JSON.stringify(redactCredentials(url))
    throw new KVError("KV_CONFIG_INVALID", `${source}=${shown} ${problem}; use ${POSTGRES_FORMS}`)
  }
  if (!isPostgresUrl(url)) return fail("is not a PostgreSQL URL")
  const rest = url.slice(url.indexOf(":") + 1)
  if (!rest.startsWith("//")) return fail("must start with postgres:// or postgresql://")
  const afterSlashes = rest.slice(2)
  const at = afterSlashes.lastIndexOf("@")
  const credentials = at === -1 ? undefined : afterSlashes.slice(0, at)
  const address = afterSlashes.slice(at + 1)
  const question = address.indexOf("?")
  const query = question === -1 ? "" : address.slice(question + 1)
  const beforeQuery = question === -1 ? address : address.slice(0, question)
  const slash = beforeQuery.indexOf("/")
  const hostPort = slash === -1 ? beforeQuery : beforeQuery.slice(0, slash)
  const path = slash === -1 ? "" : beforeQuery.slice(slash + 1)
  const { user, password } = readCredentials(credentials, fail)
  const { host, port } = readHostPort(hostPort, fail)
  let database: string | undefined
  if (path !== "") {
    database = decode(path, fail, "a database name")
    if (database.includes("/")) fail(`has "/${path}" where one database name can go`)
  }
  return { host, port, user, password, database, ...readQuery(query, fail) }
}

function decode(text: string, fail: (problem: string) => never, what: string): string {
  let decoded: string
  try {
    decoded = decodeURIComponent(text)
  } catch {
    return fail(`has ${what} that is not valid percent-encoding`)
  }
  // A NUL would cut the string short in the protocol's messages.
  if (decoded.includes("\0")) fail(`has ${what} with a NUL character`)
  return decoded
}

function readCredentials(
  credentials: string | undefined,
  fail: (problem: string) => never,
): { user: string | undefined; password: string | undefined } {
  if (credentials === undefined) return { user: undefined, password: undefined }
  const colon = credentials.indexOf(":")
  const user = colon === -1 ? credentials : credentials.slice(0, colon)
  const pass = colon === -1 ? undefined : credentials.slice(colon + 1)
  return {
    user: user === "" ? undefined : decode(user, fail, "a user"),
    password: pass === undefined || pass === "" ? undefined : decode(pass, fail, "a password"),
  }
}

function readHostPort(hostPort: string, fail: (problem: string) => never): { host: string; port: number } {
  // [::1]:5432 for IPv6; a percent-encoded path (%2Fvar%2Frun%2Fpostgresql) for a Unix socket's folder.
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/]+)(?::(\d{1,5}))?$/.exec(hostPort)
  if (match === null) return fail(`has "${hostPort}" where host:port goes`)
  const host = decode((match[1] as string).replace(/^\[(.*)\]$/, "$1"), fail, "a host")
  const port = match[2] === undefined ? 5432 : Number(match[2])
  if (port < 1 || port > 65535) fail(`has port ${port}, outside 1 to 65535`)
  return { host, port }
}

function readQuery(query: string, fail: (problem: string) => never): { sslmode: SslMode; pool: number | undefined } {
  let sslmode: SslMode = "disable"
  let pool: number | undefined
  const seen = new Set<string>()
  for (const pair of query === "" ? [] : query.split("&")) {
    const match = /^(sslmode|pool)=([A-Za-z0-9-]*)$/.exec(pair)
    if (match === null) return fail(`has "${pair}" where only sslmode=... and pool=... can go after the "?"`)
    const [, name, value] = match as unknown as [string, "sslmode" | "pool", string]
    if (seen.has(name)) fail(`gives ${name} twice`)
    seen.add(name)
    if (name === "pool") {
      if (!/^[1-9][0-9]{0,3}$/.test(value)) fail(`has pool=${value}; give a whole number of connections, 1 to 9999`)
      pool = Number(value)
    } else {
      sslmode = readSslMode(value, fail)
    }
  }
  return { sslmode, pool }
}

function readSslMode(mode: string, fail: (problem: string) => never): SslMode {
  if (mode === "prefer" || mode === "allow") {
    fail(
      `has sslmode=${mode}, which falls back to an unencrypted connection; choose sslmode=require or sslmode=disable`,
    )
  }
  if (!SSL_MODES.includes(mode)) fail(`has sslmode=${mode}; use one of ${SSL_MODES.join(", ")}`)
  return mode as SslMode
}

/** Where the driver points, for messages: "PostgreSQL 127.0.0.1:5432/app", never the password. */
export function describePostgres(config: PostgresConfig): string {
  const host = config.host.includes(":") ? `[${config.host}]` : config.host
  return `PostgreSQL ${host}:${config.port}/${config.database ?? config.user ?? ""}`
}
