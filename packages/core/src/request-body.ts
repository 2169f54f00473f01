import { HttpError } from "./http-error.js"

/**
 * How the caller knows a request's body. "headers": Node.js's HTTP/1.1 parser
 * framed it, so without Content-Length and Transfer-Encoding there is none and
 * a Content-Length is exact. "unknown": a Request from anywhere else (Workers,
 * tests), whose body may be there without a length, or run past the one declared.
 */
export type BodyFraming = "headers" | "unknown"

/**
 * The request a handler gets: every way of reading its body (the Body
 * readers, `body`, `clone()` and its readers, `new Request(request)`) stops at
 * `limit` bytes with a 413, and JSON or form data that does not parse is a 400.
 * A body of exact length within the limit keeps the runtime's own readers, the
 * fastest; any other body is put behind a stream that counts it, in a new
 * Request. A request without a body is left as it is, bar the parse errors.
 */
export function limitBody(request: Request, limit: number, framing: BodyFraming): Request {
  const limited =
    mayCarryBody(request.method) && mustCount(request, limit, framing)
      ? new Request(request, { body: countedStream(request.body, limit), duplex: "half" } as RequestInit)
      : request
  Object.defineProperties(limited, PARSE_ERRORS_AS_400)
  return limited
}

/**
 * The Fetch API gives GET and HEAD no body, and refuses TRACE, which
 * @hono/node-server serves as a GET: reading one reads nothing.
 */
function mayCarryBody(method: string): boolean {
  return method !== "GET" && method !== "HEAD" && method !== "TRACE"
}

/** 413 up front for a declared length over the limit; whether the body must be counted as it streams. */
function mustCount(request: Request, limit: number, framing: BodyFraming): boolean {
  const declared = request.headers.get("content-length")
  if (declared !== null) {
    const length = Number(declared)
    if (!/^\d+$/.test(declared) || !Number.isSafeInteger(length)) {
      throw new HttpError(400, "Content-Length is not a valid length")
    }
    if (length > limit) throw tooLarge(limit)
  }
  if (framing === "headers") return declared === null && request.headers.has("transfer-encoding")
  return request.body !== null
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body is larger than the limit of ${limit} bytes`)
}

/** The source's bytes, erroring with a 413 once more than `limit` have passed; read only when asked. */
function countedStream(source: ReadableStream<Uint8Array> | null, limit: number): ReadableStream<Uint8Array> | null {
  if (source === null) return null
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  let total = 0
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        reader ??= source.getReader()
        const { done, value } = await reader.read()
        if (done) return controller.close()
        total += value.byteLength
        if (total > limit) {
          controller.error(tooLarge(limit))
          await reader.cancel().catch(() => {})
          return
        }
        controller.enqueue(value)
      },
      cancel: (reason) => (reader ?? source).cancel(reason),
    },
    // Nothing is read before a reader asks: a handler that ignores the body costs nothing.
    { highWaterMark: 0 },
  )
}

// The readers below are the runtime's own (the request's prototype), their
// failures on the client's input turned into 400s. Shared functions rather
// than closures: this runs on every request that may carry a body.
const PARSE_ERRORS_AS_400: PropertyDescriptorMap = {
  json: { value: readJson },
  formData: { value: readFormData },
  clone: { value: cloneLimited },
}

function runtimeReaders(request: Request): Request {
  return Object.getPrototypeOf(request) as Request
}

async function readJson(this: Request): Promise<unknown> {
  const text = decodeUtf8Strict(new Uint8Array(await runtimeReaders(this).arrayBuffer.call(this)))
  if (text.length === 0) throw new HttpError(400, "Request body is empty; expected JSON")
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new HttpError(400, `Request body is not valid JSON: ${(error as Error).message}`, { cause: error })
  }
}

function readFormData(this: Request): Promise<FormData> {
  const read = runtimeReaders(this).formData
  // A body already read or locked is the handler's own bug: the runtime's TypeError, a 500.
  if (this.bodyUsed || this.body?.locked) return read.call(this)
  return read.call(this).catch((error: unknown) => {
    if (error instanceof HttpError) throw error
    throw new HttpError(
      400,
      "Request body is not valid form data (multipart/form-data or application/x-www-form-urlencoded)",
      { cause: error },
    )
  })
}

/** A clone shares the limited body (a tee of it) and gets the same readers. */
function cloneLimited(this: Request): Request {
  const copy = runtimeReaders(this).clone.call(this)
  Object.defineProperties(copy, PARSE_ERRORS_AS_400)
  return copy
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true })

function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes)
  } catch (error) {
    throw new HttpError(400, "Request body is not valid UTF-8", { cause: error })
  }
}
