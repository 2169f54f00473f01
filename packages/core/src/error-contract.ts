/**
 * How an error tells Layeron what it means without Layeron knowing its
 * class, so that a storage error, a driver's or an app's own is treated
 * alike. Two optional fields:
 *
 * - `status`: the HTTP status `app.fetch` answers with when a handler lets
 *   the error through. Only 500 to 599 count: the client gets a generic body
 *   and the message goes to the log. (An answer whose message is for the
 *   client, such as a 4xx, is an `HttpError`.) Without one, 500.
 * - `userFixable`: true when whoever runs the app fixes it outside the code
 *   (a setting, a service that is down) and the message says how. The
 *   layeron command prints such an error as one line, not a stack trace.
 *
 * @example
 * class QueueUnavailable extends Error implements StatusError, UserFixableError {
 *   readonly status = 503 // the app answers 503 Service Unavailable
 *   readonly userFixable = true // `layeron start` prints only the message
 * }
 */
export interface StatusError {
  readonly status: number
}

/** An error whose message is for whoever runs the app, naming what to fix outside the code. See `StatusError`. */
export interface UserFixableError extends Error {
  readonly userFixable: true
}

/** True when `error` (any thrown value) carries a status from 500 to 599. Never throws, whatever `error` is. */
export function isStatusError(error: unknown): error is StatusError {
  try {
    const status = (error as { status?: unknown } | null)?.status
    return typeof status === "number" && Number.isInteger(status) && status >= 500 && status <= 599
  } catch {
    // A Proxy or a `status` getter that throws carries no status.
    return false
  }
}

/** True when `error` is an Error marked `userFixable: true`. Never throws, whatever `error` is. */
export function isUserFixable(error: unknown): error is UserFixableError {
  try {
    return error instanceof Error && (error as { userFixable?: unknown }).userFixable === true
  } catch {
    return false
  }
}
