import type { Entry } from "./entry.js"
import { LineError } from "./entry.js"

/**
 * The dump format of `layeron kv export` and `import`: one JSON object a line,
 *
 *   {"key":"session:1","value":"{\"userId\":\"usr_100\"}","contentType":"application/json","expiresAt":"2026-12-01T06:00:00.000Z"}
 *
 * with `"base64":true` when `value` holds bytes that are not UTF-8 text (or
 * are shorter that way), `metadata` when there is some, and `expiresAt` (an
 * absolute instant, to the millisecond) when the entry expires.
 */
interface Line {
  key: string
  value: string
  base64?: true
  contentType: string
  metadata?: unknown
  expiresAt?: string
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** The value as text when it reads back byte for byte and is no longer so, else as base64. */
export function encodeValue(bytes: Uint8Array): { value: string; base64?: true } {
  const base64Length = Math.ceil(bytes.byteLength / 3) * 4
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
  if (!hasBom) {
    try {
      const text = strictUtf8.decode(bytes)
      // Control characters escape to 6 bytes each: past base64's size, base64 keeps lines short.
      if (JSON.stringify(text).length <= base64Length + 2) return { value: text }
    } catch {
      // Not UTF-8: base64.
    }
  }
  return { value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"), base64: true }
}

export function toNdjsonLine(entry: Entry): string {
  const line: Line = { key: entry.key, ...encodeValue(entry.value), contentType: entry.contentType }
  if (entry.metadata !== null) line.metadata = entry.metadata
  if (entry.expiresAt !== null) line.expiresAt = new Date(entry.expiresAt).toISOString()
  return `${JSON.stringify(line)}\n`
}

const FIELDS = new Set(["key", "value", "base64", "contentType", "metadata", "expiresAt"])
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Reads one line of a dump; anything wrong is a LineError naming the line and the field. */
export function parseNdjsonLine(text: string, lineNumber: number): Entry {
  const fail = (problem: string): never => {
    throw new LineError(lineNumber, problem)
  }
  if (lineNumber === 1 && text.trimStart().startsWith("[")) {
    fail("this is a JSON array (a wrangler bulk file?); layeron kv import reads the NDJSON of layeron kv export")
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    fail(`not JSON (${(error as Error).message})`)
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail("not a JSON object")
  const line = parsed as Record<string, unknown>
  for (const field of Object.keys(line)) {
    if (!FIELDS.has(field)) fail(`unknown field ${JSON.stringify(field)}; a line has ${[...FIELDS].join(", ")}`)
  }
  if (typeof line.key !== "string") fail("key must be a string")
  if (typeof line.value !== "string") fail("value must be a string")
  if (line.base64 !== undefined && line.base64 !== true) fail("base64 must be true or left out")
  if (line.contentType !== undefined && typeof line.contentType !== "string") fail("contentType must be a string")
  const value = line.value as string
  let bytes: Uint8Array
  if (line.base64 === true) {
    if (value.length % 4 !== 0 || !BASE64.test(value)) fail("value is not valid base64")
    bytes = new Uint8Array(Buffer.from(value, "base64"))
  } else {
    bytes = new TextEncoder().encode(value)
  }
  let expiresAt: number | null = null
  if (line.expiresAt !== undefined && line.expiresAt !== null) {
    const at = typeof line.expiresAt === "string" && ISO_INSTANT.test(line.expiresAt) ? Date.parse(line.expiresAt) : NaN
    if (Number.isNaN(at))
      fail(`expiresAt must be an instant such as "2026-12-01T06:00:00.000Z", got ${JSON.stringify(line.expiresAt)}`)
    expiresAt = at
  }
  return {
    key: line.key as string,
    value: bytes,
    contentType:
      (line.contentType as string | undefined) ??
      (line.base64 ? "application/octet-stream" : "text/plain;charset=UTF-8"),
    metadata: line.metadata ?? null,
    expiresAt,
  }
}
