import { KVError, type KVErrorCode } from "./errors.js"

// Option bags are checked strictly: a misspelt name (`ttl` for `ttlSeconds`)
// would otherwise be ignored without a word, and the entry would never expire.

/** A value as messages describe it: its type, and the value itself when it is short and plain. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return "an array"
  if (value instanceof Date) return "a Date"
  switch (typeof value) {
    case "string":
      return `a string (${JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value)})`
    case "number":
      return `a number (${value})`
    case "boolean":
      return `a boolean (${value})`
    case "bigint":
      return `a bigint (${value}n)`
    case "object":
      return "an object"
    default:
      return `a ${typeof value}`
  }
}

// `call` says where, as messages start: `storage.kv(auth/sessions) key "a": put()`.

/** Throws `code` unless `options` is undefined or an options object; true when there is one to read. */
export function isOptionBag(
  options: unknown,
  call: string,
  code: KVErrorCode = "KV_OPTIONS_INVALID",
): options is object {
  if (options === undefined) return false
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new KVError(code, `${call} options must be an object, got ${describeValue(options)}`)
  }
  return true
}

/** Throws `code` naming the first option `call` does not know, and the ones it does. */
export function checkOptionNames(
  options: object,
  accepted: readonly string[],
  call: string,
  code: KVErrorCode = "KV_OPTIONS_INVALID",
): void {
  for (const name in options) {
    if (accepted.includes(name)) continue
    const close = closestName(name, accepted)
    const hint = close === undefined ? "" : ` (did you mean ${close}?)`
    throw new KVError(
      code,
      `${call} has no option ${JSON.stringify(name.slice(0, 64))}${hint}; its options are ${accepted.join(", ")}`,
    )
  }
}

/** For a call that takes no options: a second argument is a mistake (often Workers KV's `get(key, "json")`). */
export function refuseOptions(extra: unknown, call: string, hint = ""): never {
  throw new KVError("KV_OPTIONS_INVALID", `${call} takes no options, got ${describeValue(extra)}${hint}`)
}

/** What other key-value APIs call an option, and its name here. */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  expirationttl: "ttlSeconds", // Workers KV
  expiration: "expiresAt", // Workers KV (in seconds; expiresAt is a Date or milliseconds)
  ex: "ttlSeconds", // Redis SET
  px: "ttlSeconds",
  exat: "expiresAt",
  pxat: "expiresAt",
  type: "contentType",
  mimetype: "contentType",
}

/** The accepted name `name` most likely meant, if one is close enough. */
function closestName(name: string, accepted: readonly string[]): string | undefined {
  const wanted = name.toLowerCase().replace(/[-_\s]/g, "")
  const other = OTHER_NAMES[wanted]
  if (other !== undefined && accepted.includes(other)) return other
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of accepted) {
    const distance = editDistance(wanted, candidate.toLowerCase())
    if (distance < bestDistance) {
      bestDistance = distance
      best = candidate
    }
  }
  if (bestDistance <= Math.max(1, Math.min(3, Math.floor(wanted.length / 3)))) return best
  // A shortened name: "ttl" for ttlSeconds, "meta" for metadata.
  return wanted.length >= 3 ? accepted.find((candidate) => candidate.toLowerCase().startsWith(wanted)) : undefined
}

/** Levenshtein distance; names here are short, and longer ones are cut to 64 characters. */
function editDistance(a: string, b: string): number {
  const x = a.slice(0, 64)
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= x.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (x[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1))
    }
    previous = current
  }
  return previous[b.length] as number
}
