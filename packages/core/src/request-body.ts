import { HttpError } from "./http-error.js"

/** Methods whose requests may carry a body worth guarding. */
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"])

export function mayHaveBody(method: string): boolean {
  return BODY_METHODS.has(method)
}

/** 413 up front when the declared length is over the limit; 400 when it is not a length. */
export function checkDeclaredLength(request: Request, limit: number): void {
  const declared = request.headers.get("content-length")
  if (declared === null) return
  const length = Number(declared)
  if (!/^\d+$/.test(declared) || !Number.isSafeInteger(length)) {
    throw new HttpError(400, "Content-Length is not a valid length")
  }
  if (length > limit) throw tooLarge(limit)
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body is larger than the limit of ${limit} bytes`)
}

/**
 * Replaces the request's body readers with ones that stop at `limit` bytes
 * (a chunked body declares no length) and turn malformed JSON into a 400.
 */
export function guardBody(request: Request, limit: number): void {
  const original = Object.getPrototypeOf(request) as Request
  const hasLength = request.headers.has("content-length")
  let bytes: Promise<Uint8Array> | undefined
  // With a declared length (checked already) the runtime's own reader is both
  // safe and fastest; only a body of unknown length is counted as it streams.
  const readBytes = (): Promise<Uint8Array> => {
    bytes ??= hasLength
      ? original.arrayBuffer.call(request).then((buffer) => new Uint8Array(buffer))
      : readLimited(request.body, limit)
    return bytes
  }
  const readText = async (): Promise<string> => new TextDecoder().decode(await readBytes())
  Object.defineProperties(request, {
    arrayBuffer: { value: async () => copyToArrayBuffer(await readBytes()) },
    bytes: { value: async () => (await readBytes()).slice() },
    text: { value: readText },
    json: {
      value: async () => {
        const text = decodeUtf8Strict(await readBytes())
        if (text.length === 0) throw new HttpError(400, "Request body is empty; expected JSON")
        try {
          return JSON.parse(text)
        } catch (error) {
          throw new HttpError(400, `Request body is not valid JSON: ${(error as Error).message}`, { cause: error })
        }
      },
    },
  })
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true })

function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes)
  } catch (error) {
    throw new HttpError(400, "Request body is not valid UTF-8", { cause: error })
  }
}

async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge(limit)
    }
    chunks.push(value)
  }
  const result = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    result.set(chunk, offset)
    offset += chunk.byteLength
  }
  return result
}

function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer
}
