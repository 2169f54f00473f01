import { KVError } from "./errors.js"
import { KV_LIMITS } from "./limits.js"
import { describeValue } from "./options.js"

const encoder = new TextEncoder()

export function utf8Length(text: string): number {
  // Every UTF-16 code unit is at most 3 UTF-8 bytes: short strings skip the count.
  return text.length * 3 <= KV_LIMITS.maxKeyBytes ? -1 : encoder.encode(text).byteLength
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u

type MaybeWellFormed = string & { isWellFormed?: () => boolean }

/** Whether `text` is valid Unicode: no lone surrogate, which UTF-8 cannot hold (TextEncoder would write U+FFFD). */
export function isWellFormed(text: string): boolean {
  // String.prototype.isWellFormed (Node.js 20, Workers) scans a 25 MiB string in a few milliseconds.
  return (text as MaybeWellFormed).isWellFormed?.() ?? !LONE_SURROGATE.test(text)
}

/** Where the first lone surrogate of `text` is, or -1. */
export function loneSurrogateIndex(text: string): number {
  return LONE_SURROGATE.exec(text)?.index ?? -1
}

/** Why `key` could never be stored, or null when it can. */
export function keyProblem(key: unknown): string | null {
  if (typeof key !== "string") return `must be a string, got ${typeof key}`
  if (key.length === 0) return "must not be empty"
  if (key === "." || key === "..") return `must not be "${key}"`
  const bytes = utf8Length(key)
  if (bytes > KV_LIMITS.maxKeyBytes) return `is ${bytes} UTF-8 bytes; the limit is ${KV_LIMITS.maxKeyBytes}`
  if (LONE_SURROGATE.test(key)) return "is not valid Unicode (it has a lone surrogate)"
  return null
}

/**
 * Whether some storable key could start with `prefix`: it is valid Unicode
 * and at most 512 UTF-8 bytes. No key starts with any other prefix, so
 * `list()` answers an empty page for it without asking the driver.
 */
export function isMatchablePrefix(prefix: string): boolean {
  return utf8Length(prefix) <= KV_LIMITS.maxKeyBytes && !LONE_SURROGATE.test(prefix)
}

/** A key fit for reads: anything that is not storable simply does not exist. */
export function isReadableKey(key: unknown): key is string {
  return keyProblem(key) === null
}

/** A key as messages show it: short, quoted. */
export function showKey(key: unknown): string {
  if (typeof key !== "string") return String(key)
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}...` : key)
}

/** A TTL in seconds: a whole number, at least `minimum`. */
export function checkTtl(ttl: unknown, minimum: number, where: string): number {
  if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < minimum) {
    throw new KVError(
      "KV_TTL_INVALID",
      `${where}: ttlSeconds must be a whole number of seconds, at least ${minimum}; got ${describeValue(ttl)}`,
    )
  }
  return ttl
}

export function metadataJson(metadata: unknown, where: string): string | null {
  if (metadata === undefined || metadata === null) return null
  let json: string | undefined
  try {
    json = JSON.stringify(metadata)
  } catch (error) {
    throw new KVError("KV_METADATA_INVALID", `${where}: metadata is not serializable as JSON`, { cause: error })
  }
  if (json === undefined) {
    throw new KVError("KV_METADATA_INVALID", `${where}: metadata must be a JSON value, got ${describeValue(metadata)}`)
  }
  const bytes = encoder.encode(json).byteLength
  if (bytes > KV_LIMITS.maxMetadataBytes) {
    throw new KVError(
      "KV_METADATA_TOO_LARGE",
      `${where}: metadata is ${bytes} bytes as JSON; the limit is ${KV_LIMITS.maxMetadataBytes}`,
    )
  }
  return json
}

/** Characters an HTTP header value can carry, as Node.js and the Fetch API check them: tab, visible ASCII, space, U+0080 to U+00FF. */
const NOT_IN_HEADER = /[^\t\x20-\x7E\x80-\xFF]/

/** A content type that can be sent back as a `Content-Type` header exactly as given. */
export function checkContentType(contentType: unknown, where: string): string {
  const problem = contentTypeProblem(contentType)
  if (problem !== null) throw new KVError("KV_OPTIONS_INVALID", `${where}: contentType ${problem}`)
  return contentType as string
}

function contentTypeProblem(contentType: unknown): string | null {
  if (typeof contentType !== "string") return `must be a string, got ${describeValue(contentType)}`
  if (contentType.length === 0) return "must not be empty"
  const bytes = encoder.encode(contentType).byteLength
  if (bytes > KV_LIMITS.maxContentTypeBytes) {
    return `is ${bytes} bytes; the limit is ${KV_LIMITS.maxContentTypeBytes}`
  }
  const bad = NOT_IN_HEADER.exec(contentType)
  if (bad !== null) {
    const code = (bad[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")
    return `has U+${code} at index ${bad.index}, which an HTTP header cannot carry (control characters, and characters above U+00FF, are refused)`
  }
  if (/^[\t ]|[\t ]$/.test(contentType)) return "starts or ends with a space or tab, which an HTTP header drops"
  return null
}
