import { KVError } from "../../errors.js"

// SQLSTATE classes and codes that mean "PostgreSQL cannot serve this now", not
// "the request is wrong": the app answers 503 and a later request succeeds.
// 08 connection exception, 53 insufficient resources (too many connections,
// disk full), 57P01-57P05 shutdown or not yet accepting connections, 57014 a
// statement cancelled by its timeout, 40001/40P01 serialization failure or
// deadlock, 55P03 a lock not available, 25006 a read-only server (a standby
// after a failover), 28 refused credentials and 3D000 a missing database
// (the operator fixes those, as with Redis's WRONGPASS).
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-5]|57014|40001|40P01|55P03|25006|28|3D000)/

// Node.js socket errors: the server is gone, refuses, or cannot be found.
const UNAVAILABLE_ERRNO = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENOENT",
])

// What the pg client says of its own timeouts, of a connection that ended, and of a
// server without the TLS that sslmode asks for (the operator's to fix, as a refused password).
const UNAVAILABLE_MESSAGE =
  /timeout|timed out|Connection terminated|Client has encountered a connection error|not queryable|the server closed the connection|does not support SSL/i

/** True when a client error means an outage rather than a bug. */
export function isUnavailable(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown }
  if (typeof code === "string") return UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code)
  if (name === "TypeError" || name === "RangeError") return false
  return error instanceof Error && UNAVAILABLE_MESSAGE.test(error.message)
}

/**
 * A PostgreSQL client's failure as a KVError: an outage is `KV_UNAVAILABLE`
 * (503), anything else `KV_DRIVER_ERROR`. `secret` (the password) is taken
 * out of the message, and the cause dropped if it quotes it.
 */
export function postgresError(error: unknown, target: string, what: string, secret?: string): KVError {
  if (error instanceof KVError) return error
  const raw = error instanceof Error ? error.message : String(error)
  const leaks = secret !== undefined && secret !== "" && raw.includes(secret)
  const message = leaks ? raw.split(secret).join("***") : raw
  const unavailable = isUnavailable(error)
  return new KVError(
    unavailable ? "KV_UNAVAILABLE" : "KV_DRIVER_ERROR",
    `${target} ${unavailable ? "is unavailable" : "failed"} (${what}): ${message}`,
    leaks ? undefined : { cause: error },
  )
}
