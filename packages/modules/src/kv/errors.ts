export type KVErrorCode =
  /** The key is empty, over 512 UTF-8 bytes, `.` or `..`, or not a string. */
  | "KV_KEY_INVALID"
  /** The value is not a string, ArrayBuffer, typed array, ReadableStream or Blob, or a string with a lone surrogate. */
  | "KV_VALUE_INVALID"
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
  /** `json()` on a value that is not JSON. */
  | "KV_NOT_JSON"
  /**
   * `increment()` on a key whose value is not a counter (a whole number as
   * decimal text, such as "42"), or whose sum would leave the safe integer
   * range (±2^53 - 1). Nothing is written.
   */
  | "KV_NOT_COUNTER"
  /**
   * A conditional write lost: `put`/`delete` with `ifVersion` found another
   * version (or an entry where none was expected, or none where one was), or
   * `update()` kept losing to concurrent writers. Nothing was written; read
   * again and decide. Left through a handler it is a 500: a race the app did
   * not handle is a server-side bug, not the client's mistake.
   */
  | "KV_CONFLICT"
  /**
   * An atomic operation (`add`, `increment`, `getAndDelete`, `ifVersion`,
   * `update`) on a store not declared `consistency: "strong"`: declare it
   * strong. Thrown on every driver, so code that works locally works deployed.
   */
  | "KV_NOT_ATOMIC"
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
