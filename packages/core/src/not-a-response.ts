/** The error for a handler or middleware that returned something other than a Response: a bug, so a 500. */
export function notAResponse(who: string, value: unknown, hint = ""): TypeError {
  return new TypeError(`${who} returned ${describe(value)}, not a Response${hint}`)
}

function describe(value: unknown): string {
  if (value === null) return "null"
  if (value === undefined) return "undefined"
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : typeof value
}
