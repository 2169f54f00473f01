/** Reason phrases for the statuses Layeron itself answers with. */
const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
}

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? (status >= 500 ? "Server Error" : "Client Error")
}

/** A JSON error body: `{ "error": message }`. */
export function errorResponse(
  status: number,
  message: string = statusText(status),
  headers?: Record<string, string>,
): Response {
  const response = Response.json({ error: message }, { status, headers })
  return response
}

/**
 * An error that becomes an HTTP response: throw it from a handler to answer
 * with `status` and `message`. Its message is meant for the client.
 */
export class HttpError extends Error {
  override readonly name = "HttpError"
  readonly status: number
  readonly headers: Record<string, string> | undefined

  constructor(
    status: number,
    message: string = statusText(status),
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer from 400 to 599, got ${String(status)}`)
    }
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.status = status
    this.headers = options?.headers
  }

  toResponse(): Response {
    return errorResponse(this.status, this.message, this.headers)
  }
}
