import type { ModuleBinding } from "./discover.js"

// The Durable Object classes of a build and their migrations. Cloudflare
// applies each migration once, by its tag, and refuses a deploy whose
// migrations differ from what it applied: so a rebuild keeps every earlier
// migration as it is and adds a new tag only for new classes.

/** The classes Layeron makes for strong stores; any other class is the user's. */
export const CLASS_PREFIX = "LayeronKV_"
const OUR_CLASS = /^LayeronKV_[A-Z0-9_]+$/

export interface Migration {
  readonly tag: string
  readonly new_sqlite_classes?: string[]
  readonly [key: string]: unknown
}

export interface DurableObjectPlan {
  /** The migrations to write: the earlier ones untouched, then one for new classes if any. */
  readonly migrations: unknown[]
  /** Classes the bundle exports: every strong store's, and those of earlier builds not deleted, so their data stays reachable. */
  readonly classes: string[]
  /** Classes this build adds. */
  readonly added: string[]
}

/** What the build exports and migrates for `bindings`, given the `migrations` of the earlier wrangler.jsonc. */
export function planDurableObjects(bindings: readonly ModuleBinding[], previous: unknown): DurableObjectPlan {
  const earlier = Array.isArray(previous) ? previous : []
  const known = new Set<string>()
  for (const migration of earlier) {
    if (typeof migration !== "object" || migration === null) continue
    const step = migration as Record<string, unknown>
    for (const name of [...strings(step.new_sqlite_classes), ...strings(step.new_classes)]) known.add(name)
    for (const moved of [...list(step.renamed_classes), ...list(step.transferred_classes)]) {
      if (typeof moved.from === "string") known.delete(moved.from)
      if (typeof moved.to === "string") known.add(moved.to)
    }
    for (const name of strings(step.deleted_classes)) known.delete(name)
  }
  const wanted = bindings.flatMap((binding) => (binding.type === "durable_object_namespace" ? [binding.className] : []))
  const added = wanted.filter((name) => !known.has(name))
  const migrations: unknown[] = [...earlier]
  if (added.length > 0) migrations.push({ tag: nextTag(earlier), new_sqlite_classes: added })
  // Only names Layeron makes: the bundle's source is written from them.
  const classes = [...new Set([...wanted, ...[...known].filter((name) => OUR_CLASS.test(name))])]
  return { migrations, classes, added }
}

function nextTag(earlier: readonly unknown[]): string {
  const taken = new Set(earlier.map((migration) => (migration as { tag?: unknown } | null)?.tag))
  let number = earlier.length + 1
  while (taken.has(`v${number}`)) number++
  return `v${number}`
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === "object" && item !== null) : []
}
