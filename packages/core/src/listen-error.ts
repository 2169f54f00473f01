/** Why listening failed, in one line a user can act on. */
export class ListenError extends Error {
  override readonly name = "ListenError"
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
