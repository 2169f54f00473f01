import { KVError } from "./errors.js"
import { KV_LIMITS } from "./limits.js"
import { isWellFormed, loneSurrogateIndex } from "./validate.js"

export type KVValue = string | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | Blob

export interface EncodedValue {
  readonly bytes: Uint8Array
  /** The value itself when it was a string (well-formed, so `bytes` is exactly its UTF-8). */
  readonly text?: string
  readonly defaultContentType: string
}

const encoder = new TextEncoder()
const TEXT = "text/plain;charset=UTF-8"

type NodeBuffer = { from(text: string, encoding: "utf8"): Uint8Array }
const NodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer

/**
 * A well-formed string as UTF-8 bytes. On Node.js a Buffer from the shared
 * pool: about 4x faster than TextEncoder for short values (a new ArrayBuffer
 * each), which a write hands to its backend at once. A driver that keeps the
 * bytes (memory) copies them, so no entry pins a pool slab.
 */
export const utf8: (text: string) => Uint8Array =
  NodeBuffer === undefined ? (text) => encoder.encode(text) : (text) => NodeBuffer.from(text, "utf8")

/**
 * `bytes` as a plain Uint8Array with a buffer of its own: a Buffer, or a view
 * into a larger buffer (the Buffer pool), is copied. For a driver that keeps
 * the bytes (memory: else one entry pins a pool slab) or hands them to
 * something that takes plain typed arrays only (miniflare's bridge to
 * Workers KV refuses a Buffer, even an empty one).
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  const plain =
    Object.getPrototypeOf(bytes) === Uint8Array.prototype &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength
  // new Uint8Array(view) copies; a Buffer's slice() would be another view.
  return plain ? bytes : new Uint8Array(bytes)
}

/**
 * A string that certainly fits and encodes as it is: valid Unicode and at
 * most 3 bytes a UTF-16 unit under the size limit. A write's fast path;
 * encodeValue() checks anything else and says what is wrong.
 */
export function isPlainText(value: unknown): value is string {
  return typeof value === "string" && value.length * 3 <= KV_LIMITS.maxValueBytes && isWellFormed(value)
}
const BINARY = "application/octet-stream"

/** A value as bytes, with the content type its type implies; throws before reading past the limit. */
export async function encodeValue(value: unknown, where: string): Promise<EncodedValue> {
  if (typeof value === "string") {
    if (!isWellFormed(value)) {
      // TextEncoder would store U+FFFD in its place, and text() would not give the string back.
      throw new KVError(
        "KV_VALUE_INVALID",
        `${where}: value is not valid Unicode: a lone surrogate at index ${loneSurrogateIndex(value)}, which UTF-8 cannot hold (store binary data as bytes)`,
      )
    }
    const bytes = utf8(value)
    checkSize(bytes.byteLength, where)
    return { bytes, text: value, defaultContentType: TEXT }
  }
  if (value instanceof ArrayBuffer) {
    checkSize(value.byteLength, where)
    return { bytes: new Uint8Array(value.slice(0)), defaultContentType: BINARY }
  }
  if (ArrayBuffer.isView(value)) {
    checkSize(value.byteLength, where)
    // Copied, so that a caller reusing its buffer cannot change what was stored.
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice()
    return { bytes, defaultContentType: BINARY }
  }
  if (typeof Blob !== "undefined" && value instanceof Blob) {
    checkSize(value.size, where)
    let buffer: ArrayBuffer
    try {
      buffer = await value.arrayBuffer()
    } catch (error) {
      throw unreadable(error, `${where}: the Blob value could not be read`)
    }
    return { bytes: new Uint8Array(buffer), defaultContentType: value.type || BINARY }
  }
  if (typeof ReadableStream !== "undefined" && value instanceof ReadableStream) {
    return { bytes: await readStream(value, where), defaultContentType: BINARY }
  }
  const kind = value === null ? "null" : typeof value
  throw new KVError(
    "KV_VALUE_INVALID",
    `${where}: value must be a string, ArrayBuffer, typed array, ReadableStream or Blob, got ${kind}` +
      (kind === "object" || kind === "number" || kind === "boolean" ? " (use JSON.stringify)" : ""),
  )
}

function checkSize(bytes: number, where: string): void {
  if (bytes > KV_LIMITS.maxValueBytes) {
    throw new KVError(
      "KV_VALUE_TOO_LARGE",
      `${where}: value is ${bytes} bytes; the limit is ${KV_LIMITS.maxValueBytes} (25 MiB)`,
    )
  }
}

async function readStream(stream: ReadableStream<Uint8Array>, where: string): Promise<Uint8Array> {
  const reader = readerOf(stream, where)
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    let result: Awaited<ReturnType<typeof reader.read>>
    try {
      result = await reader.read()
    } catch (error) {
      throw unreadable(error, `${where}: the value stream failed while being read`)
    }
    const { done, value } = result
    if (done) break
    if (!(value instanceof Uint8Array)) {
      await reader.cancel().catch(() => {})
      throw new KVError("KV_VALUE_INVALID", `${where}: a stream value must yield Uint8Array chunks`)
    }
    total += value.byteLength
    if (total > KV_LIMITS.maxValueBytes) {
      await reader.cancel().catch(() => {})
      checkSize(total, where)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/** The stream's reader; a stream someone else holds, or already read from, would store a part of the value. */
function readerOf(stream: ReadableStream<Uint8Array>, where: string): ReadableStreamDefaultReader<Uint8Array> {
  if (stream.locked) {
    throw new KVError("KV_VALUE_UNREADABLE", `${where}: the value stream is locked: another reader holds it`)
  }
  try {
    // The one portable test of "already read from or cancelled": a Response refuses such a body
    // (Node.js and workerd alike). It takes the stream as it is and reads nothing.
    new Response(stream)
  } catch (error) {
    throw new KVError("KV_VALUE_UNREADABLE", `${where}: the value stream was already read from or cancelled`, {
      cause: error,
    })
  }
  return stream.getReader()
}

/**
 * A failure of the value's source as a KVError that keeps it as the cause.
 * An error that already carries a client status (the framework refusing a
 * request body over its limit: 413) stays as it is, so the app still answers
 * with that status rather than a 500.
 */
function unreadable(error: unknown, what: string): unknown {
  const status = (error as { status?: unknown } | null)?.status
  if (typeof status === "number" && status >= 400 && status <= 499) return error
  const message = error instanceof Error ? error.message : String(error)
  return new KVError("KV_VALUE_UNREADABLE", `${what}: ${message} (nothing was written)`, { cause: error })
}
