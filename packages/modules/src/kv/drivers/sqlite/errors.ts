import { KVError } from "../../errors.js"
import { redactCredentials } from "../../redact.js"

// SQLITE_BUSY, SQLITE_LOCKED and their extended codes (SQLITE_BUSY_RECOVERY, SQLITE_BUSY_SNAPSHOT,
// SQLITE_BUSY_TIMEOUT, SQLITE_LOCKED_SHAREDCACHE, ...): another connection holds a lock.
const LOCK_CODE = /^SQLITE_(BUSY|LOCKED)(_[A-Z]+)?$/

/** True when `code` (a better-sqlite3 error's) means a lock another connection holds: it passes. */
function isLockCode(code: unknown): boolean {
  return typeof code === "string" && LOCK_CODE.test(code)
}

/**
 * A SQLite failure as a KVError; every statement of the driver and its
 * sweep goes through this one mapping. A lock held by another connection
 * past the busy timeout (another process writing, a sweep, a recovery) is
 * transient, like Redis being down: `KV_UNAVAILABLE`, so the app answers 503
 * and a later request succeeds. Anything else is `KV_DRIVER_ERROR`.
 */
export function sqliteError(error: unknown, path: string, what: string): KVError {
  if (error instanceof KVError) return error
  const { code } = (error ?? {}) as { code?: unknown }
  const message = error instanceof Error ? error.message : String(error)
  const store = `the SQLite store at ${redactCredentials(path)}`
  if (isLockCode(code)) {
    return new KVError("KV_UNAVAILABLE", `${store} is locked by another connection (${what}): ${message}`, {
      cause: error,
    })
  }
  return new KVError("KV_DRIVER_ERROR", `${store} failed (${what}): ${message}`, { cause: error })
}
