export type KVErrorCode =
  /** The key is empty, over 512 UTF-8 bytes, `.` or `..`, or not a string. */
  | "KV_KEY_INVALID"
  /** The value is not a string, ArrayBuffer, typed array, ReadableStream or Blob, or a string with a lone surrogate. */
  | "KV_VALUE_INVALID"
  /**
   * The value could not be read: a stream that failed midway (a client that
   * went away while its body was stored), one that is locked or was already
   * read, or a Blob whose file changed. Nothing was written.
   */
  | "KV_VALUE_UNREADABLE"
  | "KV_VALUE_TOO_LARGE"
  | "KV_METADATA_INVALID"
  | "KV_METADATA_TOO_LARGE"
  /** A TTL that is not a whole number of seconds, or under the minimum. */
  | "KV_TTL_INVALID"
  /** An `expiresAt` that is not a date, or too soon. */
  | "KV_EXPIRATION_INVALID"
  /** An option a call does not know, of the wrong type, or out of range (a content type a header cannot carry). */
  | "KV_OPTIONS_INVALID"
  /** A `list()` cursor this store did not return for this prefix. */
  | "KV_CURSOR_INVALID"
  /** `getMany()` was given more keys than `KV_LIMITS.maxGetManyKeys`. */
  | "KV_TOO_MANY_KEYS"
  /** `json()` on a value that is not JSON. */
  | "KV_NOT_JSON"
  /** The backend cannot be reached: the app answers 503. */
  | "KV_UNAVAILABLE"
  /** `LAYERON_KV` or a driver option is wrong. */
  | "KV_CONFIG_INVALID"
  /** The backend failed in a way that is not the caller's fault. */
  | "KV_DRIVER_ERROR"

/**
 * The one error type of storage.kv. Branch on `code`, never on the message;
 * the message names the store and key so a user can act on it.
 */
export class KVError extends Error {
  override readonly name = "KVError"
  readonly code: KVErrorCode

  constructor(code: KVErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }

  /** The HTTP status an app answers with when a handler lets this error through. */
  get status(): number {
    return this.code === "KV_UNAVAILABLE" ? 503 : 500
  }
}

export function isKVError(error: unknown, code?: KVErrorCode): error is KVError {
  return error instanceof KVError && (code === undefined || error.code === code)
}
