import type { StatusError } from "@layeron/core"

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
 * Who fixes an error of each code, and the HTTP status an app answers with
 * when a handler lets one through (@layeron/core's `StatusError` contract):
 *
 * - "caller": the code that called the store passed something wrong (a key,
 *   a value, an option, a cursor); the fix is in that call. A 500: a bug.
 * - "operator": whoever runs the app: a setting (`LAYERON_KV`, a driver
 *   option) or a backend that cannot be reached. The message says what to
 *   do, and the layeron command prints it as one line (`userFixable`). An
 *   unreachable backend is a 503, so clients retry later.
 * - "driver": the backend failed in a way no caller can fix; the message
 *   and `cause` say how. A 500.
 */
export const KV_ERROR_CODES = {
  KV_KEY_INVALID: { fixedBy: "caller", status: 500 },
  KV_VALUE_INVALID: { fixedBy: "caller", status: 500 },
  KV_VALUE_UNREADABLE: { fixedBy: "caller", status: 500 },
  KV_VALUE_TOO_LARGE: { fixedBy: "caller", status: 500 },
  KV_METADATA_INVALID: { fixedBy: "caller", status: 500 },
  KV_METADATA_TOO_LARGE: { fixedBy: "caller", status: 500 },
  KV_TTL_INVALID: { fixedBy: "caller", status: 500 },
  KV_EXPIRATION_INVALID: { fixedBy: "caller", status: 500 },
  KV_OPTIONS_INVALID: { fixedBy: "caller", status: 500 },
  KV_CURSOR_INVALID: { fixedBy: "caller", status: 500 },
  KV_TOO_MANY_KEYS: { fixedBy: "caller", status: 500 },
  KV_NOT_JSON: { fixedBy: "caller", status: 500 },
  // An atomic call on an eventual store, a write that lost a race, a counter that is not one: the app's to handle.
  KV_NOT_ATOMIC: { fixedBy: "caller", status: 500 },
  KV_CONFLICT: { fixedBy: "caller", status: 500 },
  KV_NOT_COUNTER: { fixedBy: "caller", status: 500 },
  KV_UNAVAILABLE: { fixedBy: "operator", status: 503 },
  KV_CONFIG_INVALID: { fixedBy: "operator", status: 500 },
  KV_DRIVER_ERROR: { fixedBy: "driver", status: 500 },
} as const satisfies Record<KVErrorCode, { fixedBy: "caller" | "operator" | "driver"; status: number }>

/** A code's row of the table; a code not in it (a KVError some other code made up) counts as a driver error. */
function classOf(code: string): { readonly fixedBy: "caller" | "operator" | "driver"; readonly status: number } {
  return (
    (KV_ERROR_CODES as Partial<Record<string, (typeof KV_ERROR_CODES)[KVErrorCode]>>)[code] ??
    KV_ERROR_CODES.KV_DRIVER_ERROR
  )
}

/**
 * The one error type of storage.kv. Branch on `code`, never on the message;
 * the message names the store and key so a user can act on it. `fixedBy`,
 * `status` and `userFixable` come from the code (`KV_ERROR_CODES`).
 *
 * @example
 * try {
 *   await sessions.put(key, body)
 * } catch (error) {
 *   if (isKVError(error) && error.fixedBy === "caller") throw new HttpError(400, "bad session")
 *   throw error // KV_UNAVAILABLE answers 503, anything else 500
 * }
 */
export class KVError extends Error implements StatusError {
  override readonly name = "KVError"
  readonly code: KVErrorCode

  constructor(code: KVErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }

  /** Who can fix it: the calling code, whoever runs the app, or nobody but the backend (see `KV_ERROR_CODES`). */
  get fixedBy(): "caller" | "operator" | "driver" {
    return classOf(this.code).fixedBy
  }

  /** The HTTP status an app answers with when a handler lets this error through: 503 for KV_UNAVAILABLE, else 500. */
  get status(): number {
    return classOf(this.code).status
  }

  /** True when whoever runs the app fixes it outside the code: the layeron command prints it as one line. */
  get userFixable(): boolean {
    return this.fixedBy === "operator"
  }
}

export function isKVError(error: unknown, code?: KVErrorCode): error is KVError {
  return error instanceof KVError && (code === undefined || error.code === code)
}
