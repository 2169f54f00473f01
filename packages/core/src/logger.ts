/** Where the app writes what went wrong; the client only ever sees a generic message. */
export interface Logger {
  info(message: string): void
  error(message: string, error?: unknown): void
}

export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  error: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)),
}

/**
 * The app's logger, made safe to call on any path: a logger that throws (or
 * whose method cannot even be read, or whose promise rejects) loses that one
 * line, and never turns a failure it reports into a crash or a request left
 * without an answer. A line whose error the logger cannot format is written
 * again with a placeholder in its place.
 */
export function neverThrowing(logger: Logger): Logger {
  return {
    info: (message) => void call(logger, "info", [message]),
    error: (...args: [message: string, error?: unknown]) => {
      if (call(logger, "error", args) || args.length < 2) return
      call(logger, "error", [args[0], `(a thrown ${typeOf(args[1])} that could not be logged)`])
    },
  }
}

/** Calls one method of the logger; false when it threw. */
function call(logger: Logger, method: keyof Logger, args: unknown[]): boolean {
  try {
    const result: unknown = Reflect.apply(logger[method], logger, args)
    // An async logger's rejection would be an unhandled rejection, which ends a Node.js process.
    if (result instanceof Promise) result.catch(() => {})
    return true
  } catch {
    return false
  }
}

function typeOf(value: unknown): string {
  return value === null ? "null" : typeof value
}
