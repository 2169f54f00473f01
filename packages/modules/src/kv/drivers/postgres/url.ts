import { connectionUrlFailure, type Fail, readHostPort, splitConnectionUrl } from "../../connection-url.js"

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
  const fail = connectionUrlFailure(url, source, POSTGRES_FORMS)
  if (!isPostgresUrl(url)) return fail("is not a PostgreSQL URL")
  const parts = splitConnectionUrl(url, fail, "must start with postgres:// or postgresql://")
  const user = parts.user === undefined ? undefined : decode(parts.user, fail, "a user")
  const password = parts.password === undefined ? undefined : decode(parts.password, fail, "a password")
  // A percent-encoded path (%2Fvar%2Frun%2Fpostgresql) for a Unix socket's folder.
  const { host, port } = readHostPort(parts.hosts, 5432, fail, (encoded) => decode(encoded, fail, "a host"))
  let database: string | undefined
  if (parts.path !== "") {
    database = decode(parts.path, fail, "a database name")
    if (database.includes("/")) fail(`has "/${parts.path}" where one database name can go`)
  }
  return { host, port, user, password, database, ...readQuery(parts.query, fail) }
}

function decode(text: string, fail: Fail, what: string): string {
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

function readQuery(query: string, fail: Fail): { sslmode: SslMode; pool: number | undefined } {
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

function readSslMode(mode: string, fail: Fail): SslMode {
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
