import type { ModuleBinding } from "./discover.js"
import { CLASS_PREFIX } from "./durable-objects.js"

/** The date of the workerd that Layeron's Workers tests run on. */
export const COMPATIBILITY_DATE = "2026-04-26"

/** Marks an id the user has yet to fill in; a later build replaces nothing that does not start with it. */
export const ID_PLACEHOLDER = "FILL-IN"

/** Keys the build writes each time; every other key of an earlier wrangler.jsonc is kept as the user left it. */
const OWNED = new Set([
  "name",
  "main",
  "compatibility_date",
  "no_bundle",
  "upload_source_maps",
  "kv_namespaces",
  "durable_objects",
  "migrations",
])

interface KVNamespaceEntry {
  binding: string
  id: string
  preview_id?: string
}

export interface WranglerConfigInput {
  /** The Worker's name, unless the earlier config has one. */
  readonly name: string
  /** The bundle, relative to wrangler.jsonc. */
  readonly main: string
  readonly bindings: readonly ModuleBinding[]
  /** The wrangler.jsonc of an earlier build, if any. */
  readonly previous: Record<string, unknown> | undefined
  /** Durable Object migrations: the earlier ones as they were, then any new one (durable-objects.ts). */
  readonly migrations?: readonly unknown[]
  /** The bundle imports `node:` modules, which Workers serves only with nodejs_compat. */
  readonly nodejsCompat: boolean
  /** The command that wrote it, for the header. */
  readonly command: string
}

export interface WranglerConfig {
  readonly text: string
  /** Bindings whose namespace id is still to be filled in. */
  readonly missingIds: string[]
}

/**
 * wrangler.jsonc for the bundle: one KV namespace per eventual store, ids
 * kept from an earlier build, and one Durable Object binding per strong store
 * with its migrations.
 */
export function wranglerConfig(input: WranglerConfigInput): WranglerConfig {
  const previous = input.previous ?? {}
  const earlier = new Map<string, KVNamespaceEntry>()
  for (const entry of kvEntries(previous.kv_namespaces)) earlier.set(entry.binding, entry)

  const missingIds: string[] = []
  const lines: string[] = []
  for (const binding of input.bindings) {
    if (binding.type !== "kv_namespace") continue
    const kept = earlier.get(binding.binding)
    earlier.delete(binding.binding)
    const filled = kept !== undefined && !kept.id.startsWith(ID_PLACEHOLDER)
    if (!filled) missingIds.push(binding.binding)
    const entry: KVNamespaceEntry = filled
      ? kept
      : { binding: binding.binding, id: `${ID_PLACEHOLDER}: the id of the KV namespace for ${binding.binding}` }
    if (!filled) {
      lines.push(`    // ${binding.module}: create its namespace with`)
      lines.push(`    //   npx wrangler kv namespace create ${binding.binding}`)
      lines.push(`    // and put the id it prints in place of ${ID_PLACEHOLDER} below.`)
    } else {
      lines.push(`    // ${binding.module}`)
    }
    lines.push(`    ${JSON.stringify(entry)},`)
  }
  // Namespaces the user added by hand stay; a placeholder for a store that is gone does not.
  for (const entry of earlier.values()) {
    if (!entry.id.startsWith(ID_PLACEHOLDER)) lines.push(`    ${JSON.stringify(entry)},`)
  }

  const flags = stringList(previous.compatibility_flags)
  if (input.nodejsCompat && !flags.includes("nodejs_compat")) flags.push("nodejs_compat")
  const extra: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(previous)) {
    if (!OWNED.has(key) && key !== "compatibility_flags") extra[key] = value
  }
  if (flags.length > 0) extra.compatibility_flags = flags

  const field = (key: string, value: unknown) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)},`
  const text = [
    `// Written by \`${input.command}\`. A new build rewrites this file and`,
    "// keeps the namespace ids, the name, the migrations and any other setting added here.",
    "{",
    field("name", typeof previous.name === "string" ? previous.name : input.name),
    field("main", input.main),
    field("compatibility_date", stringOr(previous.compatibility_date, COMPATIBILITY_DATE)),
    "  // The bundle is complete: wrangler uploads it as it is.",
    field("no_bundle", true),
    field("upload_source_maps", true),
    ...Object.entries(extra).map(
      ([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, "\n  ")},`,
    ),
    '  "kv_namespaces": [',
    ...lines,
    "  ],",
    ...durableObjectLines(input.bindings, previous.durable_objects, input.migrations ?? []),
    "}",
    "",
  ].join("\n")
  return { text, missingIds }
}

/** The strong stores' bindings, with those the user added to other classes kept, and the migrations. */
function durableObjectLines(
  bindings: readonly ModuleBinding[],
  previous: unknown,
  migrations: readonly unknown[],
): string[] {
  const ours = bindings.flatMap((binding) =>
    binding.type === "durable_object_namespace" ? [{ ...binding, name: binding.binding } as const] : [],
  )
  const names = new Set(ours.map((binding) => binding.name))
  const earlier = (previous as { bindings?: unknown } | null)?.bindings
  const kept = (Array.isArray(earlier) ? earlier : []).filter((entry: { name?: unknown; class_name?: unknown }) => {
    if (typeof entry !== "object" || entry === null || names.has(entry.name as string)) return false
    return !(typeof entry.class_name === "string" && entry.class_name.startsWith(CLASS_PREFIX))
  })
  if (ours.length === 0 && kept.length === 0 && migrations.length === 0) return []
  const lines = ['  "durable_objects": {', '    "bindings": [']
  for (const binding of ours) {
    lines.push(`      // ${binding.module}: consistency "strong", a SQLite-backed Durable Object class in worker.js`)
    lines.push(`      ${JSON.stringify({ name: binding.name, class_name: binding.className })},`)
  }
  for (const entry of kept) lines.push(`      ${JSON.stringify(entry)},`)
  lines.push("    ],", "  },")
  lines.push(
    "  // Applied once each by tag when deployed: a rebuild keeps these as they are and adds a tag for new classes.",
  )
  lines.push('  "migrations": [')
  for (const migration of migrations) lines.push(`    ${JSON.stringify(migration)},`)
  lines.push("  ],")
  return lines
}

function kvEntries(value: unknown): KVNamespaceEntry[] {
  if (!Array.isArray(value)) return []
  return value.filter(
    (entry): entry is KVNamespaceEntry =>
      typeof entry === "object" && entry !== null && typeof entry.binding === "string" && typeof entry.id === "string",
  )
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback
}

/** A Worker name from a package name or folder: lowercase letters, digits and dashes, at most 63. */
export function workerName(raw: string): string {
  const name = raw
    .replace(/^@[^/]*\//, "")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "")
  return name === "" ? "layeron-app" : name
}
