import { inspect } from "node:util"
import { isOneLineError } from "./user-error.js"

/**
 * What the user reads when a command fails: one line for a mistake they can
 * fix outside their code; for a bug in the app, its message and where it is.
 */
export function describeFailure(error: unknown, entry: string | undefined): string {
  if (isOneLineError(error)) return `layeron: ${oneLine(error)}`
  const what = entry === undefined ? "the app" : entry
  // esbuild's syntax errors carry file:line:column in the message; their stack is esbuild's own.
  if (error instanceof Error && error.name === "TransformError")
    return `layeron: ${what} failed to compile: ${error.message}`
  return `layeron: ${what} failed to start: ${inspect(error)}`
}

export function printFailure(error: unknown, entry: string | undefined): void {
  console.error(describeFailure(error, entry))
}

function oneLine(error: Error): string {
  // CommonJS's "Cannot find module" lists the require stack on the lines after; the importer says enough.
  const { requireStack } = error as { requireStack?: unknown }
  if (Array.isArray(requireStack) && typeof requireStack[0] === "string") {
    return `${error.message.split("\n")[0]} imported from ${requireStack[0]}`
  }
  return error.message.replace(/\s*\n\s*/g, " ")
}
