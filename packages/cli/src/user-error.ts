import { isUserFixable } from "@layeron/core"

/** A mistake the user can fix: printed as one line, never with a stack trace. */
export class UserError extends Error {
  override readonly name = "UserError"
  readonly userFixable = true
}

/** Node.js codes for an import the user can fix (a missing package or file). */
const ONE_LINE_CODES = new Set(["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"])

/**
 * Whether a failure is printed as its message alone: an error that says it is
 * the user's to fix outside the code (`userFixable`, @layeron/core's error
 * contract: a wrong setting, a port in use, a storage backend that is down),
 * or an import of a package or file that is not there. Decided by that
 * contract, never by class name, so any package's errors can opt in.
 */
export function isOneLineError(error: unknown): error is Error {
  if (isUserFixable(error)) return true
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  return typeof code === "string" && ONE_LINE_CODES.has(code)
}
