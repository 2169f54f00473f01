/** A mistake the user can fix: printed as one line, never with a stack trace. */
export class UserError extends Error {
  override readonly name = "UserError"
}

/** Errors from Layeron's own packages that already read as one actionable line. */
const ONE_LINE_ERRORS = new Set(["ListenError", "KVError", "UserError"])

/** Node.js codes for an import the user can fix (a missing package or file). */
const ONE_LINE_CODES = new Set(["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"])

export function isOneLineError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === "string" && ONE_LINE_CODES.has(code)) return true
  if (!ONE_LINE_ERRORS.has(error.name)) return false
  // A storage error is the user's to fix only when it is about configuration.
  return error.name !== "KVError" || code === "KV_CONFIG_INVALID" || code === "KV_UNAVAILABLE"
}
