import { isStatusError } from "./error-contract.js"
import { errorResponse, HttpError } from "./http-error.js"
import type { Logger } from "./logger.js"

/**
 * The response for an error a handler threw. An `HttpError` speaks for
 * itself; an error that carries a 5xx `status` (the contract in
 * error-contract.ts: a storage error says 503 when its backend is
 * unreachable) gives that status with a generic message;
 * anything else, whatever it is, is a 500. The detail of a 5xx goes to the
 * log only: `logger` is the app's, which never throws.
 */
export function responseForError(error: unknown, request: Request, logger: Logger): Response {
  let response: Response
  let log = true
  try {
    if (error instanceof HttpError) {
      response = error.toResponse()
      log = error.status >= 500
    } else {
      response = errorResponse(isStatusError(error) ? error.status : 500)
    }
  } catch {
    // A value that throws again when looked at (a Proxy, a `status` getter) is a 500 like any other.
    response = errorResponse(500)
  }
  if (log) logger.error(`${request.method} ${pathForLog(request.url)} failed`, error)
  return response
}

function pathForLog(url: string): string {
  // A query string (or fragment) can carry a token: the log shows only that there was one.
  const cut = url.search(/[?#]/)
  const shown = cut === -1 ? url : `${url.slice(0, cut)}?...`
  return shown.length > 200 ? `${shown.slice(0, 200)}...` : shown
}
