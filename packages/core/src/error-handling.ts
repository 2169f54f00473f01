import { errorResponse, HttpError } from "./http-error.js"
import type { Logger } from "./logger.js"

/**
 * The response for an error a handler threw. An `HttpError` speaks for
 * itself; an error that carries an HTTP `status` (a storage error says 503
 * when its backend is unreachable) gives that status with a generic message;
 * anything else is a 500. The detail of a 5xx goes to the log only.
 */
export function responseForError(error: unknown, request: Request, logger: Logger): Response {
  if (error instanceof HttpError) {
    if (error.status >= 500) logError(error, request, logger)
    return error.toResponse()
  }
  const status = statusOf(error)
  logError(error, request, logger)
  return errorResponse(status)
}

function statusOf(error: unknown): number {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === "number" && Number.isInteger(status) && status >= 500 && status <= 599 ? status : 500
}

function logError(error: unknown, request: Request, logger: Logger): void {
  try {
    logger.error(`${request.method} ${pathForLog(request.url)} failed`, error)
  } catch {
    // A broken logger must not turn one failed request into a crash.
  }
}

function pathForLog(url: string): string {
  return url.length > 200 ? `${url.slice(0, 200)}...` : url
}
