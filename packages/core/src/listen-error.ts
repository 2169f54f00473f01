import type { UserFixableError } from "./error-contract.js"

/** Why listening failed, in one line a user can act on. */
export class ListenError extends Error implements UserFixableError {
  override readonly name = "ListenError"
  /** A port in use or not allowed: fixed by another port or stopping the other server, so the command prints one line. */
  readonly userFixable = true
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
