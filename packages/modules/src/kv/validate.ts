import { KVError } from "./errors.js"
import { KV_LIMITS } from "./limits.js"

const encoder = new TextEncoder()

export function utf8Length(text: string): number {
  // Every UTF-16 code unit is at most 3 UTF-8 bytes: short strings skip the count.
  return text.length * 3 <= KV_LIMITS.maxKeyBytes ? -1 : encoder.encode(text).byteLength
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u

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
      `${where}: ttlSeconds must be a whole number of seconds, at least ${minimum}; got ${String(ttl)}`,
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
    throw new KVError("KV_METADATA_INVALID", `${where}: metadata must be a JSON value, got ${typeof metadata}`)
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

export function checkContentType(contentType: unknown, where: string): string {
  if (typeof contentType !== "string" || contentType.length === 0) {
    throw new KVError(
      "KV_OPTIONS_INVALID",
      `${where}: contentType must be a non-empty string, got ${String(contentType)}`,
    )
  }
  if (encoder.encode(contentType).byteLength > KV_LIMITS.maxContentTypeBytes || /[\r\n]/.test(contentType)) {
    throw new KVError(
      "KV_OPTIONS_INVALID",
      `${where}: contentType must be one line of at most ${KV_LIMITS.maxContentTypeBytes} bytes`,
    )
  }
  return contentType
}
