/**
 * Every rule of the storage.kv contract that the conformance suite checks, by
 * name. A driver that cannot honour one skips it by this name, with a reason.
 */
export const CONFORMANCE_RULES = [
  "values: string",
  "values: empty",
  "values: binary",
  "values: content type",
  "values: stream and blob",
  "values: unreadable",
  "values: copies",
  "values: read twice",
  "values: not json",
  "values: metadata",
  "values: overwrite",
  "values: invalid types",
  "values: text round trip",
  "values: lone surrogate",
  "ttl: expiry instants",
  "ttl: store default",
  "ttl: per put",
  "ttl: expiresAt",
  "ttl: none",
  "ttl: hidden everywhere",
  "ttl: rewrite",
  "ttl: non-portable",
  "limits: key length",
  "limits: dot keys",
  "limits: value size",
  "limits: metadata size",
  "limits: ttl",
  "limits: expiresAt",
  "limits: getMany keys",
  "limits: nothing written",
  "reads: forgiving",
  "reads: missing",
  "reads: delete",
  "reads: getMany",
  "list: prefix",
  "list: paging",
  "list: full page",
  "list: order",
  "list: fields",
  "list: expired",
  "list: options",
  "list: cursor tampering",
  "list: invalid prefix",
  "options: unknown names",
  "options: wrong types",
  "options: content type",
  "isolation: names",
  "isolation: adversarial",
  "sharing: second connection",
  "atomic: eventual stores",
  "atomic: add",
  "atomic: increment",
  "atomic: not a counter",
  "atomic: getAndDelete",
  "atomic: versions",
  "atomic: ifVersion",
  "atomic: update",
  "atomic: conflict writes nothing",
  "atomic: concurrent calls",
  "atomic: expired is absent",
  "atomic: increment expiry",
  "races: increment",
  "races: add",
  "races: getAndDelete",
  "races: update",
  "model: random operations",
  "model: atomic operations",
] as const

/**
 * The rules that need a store declared `consistency: "strong"`: a driver
 * without atomic operations skips these (and only these), with its reason.
 */
export const STRONG_RULES: readonly ConformanceRule[] = CONFORMANCE_RULES.filter(
  (rule) =>
    (rule.startsWith("atomic: ") && rule !== "atomic: eventual stores") ||
    rule.startsWith("races: ") ||
    rule === "model: atomic operations",
)

export type ConformanceRule = (typeof CONFORMANCE_RULES)[number]

const KNOWN: ReadonlySet<string> = new Set(CONFORMANCE_RULES)

/** Throws on a skip that names no rule, so a typo cannot silently run (or hide) nothing. */
export function checkSkips(skips: Readonly<Record<string, string>>): void {
  for (const [name, reason] of Object.entries(skips)) {
    if (!KNOWN.has(name)) throw new Error(`runKVConformance: no rule is named "${name}"; see CONFORMANCE_RULES`)
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new Error(`runKVConformance: skipping "${name}" needs a reason`)
    }
  }
}
