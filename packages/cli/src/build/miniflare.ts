import { readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { parseJsonc } from "./jsonc.js"

/** How Miniflare runs a built Worker: what its wrangler.jsonc says, with each KV binding's local id being its name, and its strong stores' Durable Objects. */
export interface WorkerOptions {
  modules: true
  scriptPath: string
  /** Module names are relative to it, and workerd refuses names that climb out with "..". */
  modulesRoot: string
  compatibilityDate: string
  compatibilityFlags: string[]
  kvNamespaces: Record<string, string>
  /** Each strong store's class, SQLite-backed as its migration says. */
  durableObjects: Record<string, { className: string; useSQLite: boolean }>
}

/**
 * Reads a wrangler.jsonc written by `layeron build`, so that local runs
 * (`layeron dev --target cloudflare`, the tests) use the very bundle and
 * bindings a deploy would. Local namespaces are named after their binding,
 * so persisted data outlives a placeholder id.
 */
export function workerOptions(configPath: string): WorkerOptions {
  const config = parseJsonc(readFileSync(configPath, "utf8")) as {
    main?: unknown
    compatibility_date?: unknown
    compatibility_flags?: unknown
    kv_namespaces?: { binding?: unknown }[]
    durable_objects?: { bindings?: { name?: unknown; class_name?: unknown; script_name?: unknown }[] }
    migrations?: { new_sqlite_classes?: unknown }[]
  }
  if (typeof config.main !== "string" || typeof config.compatibility_date !== "string") {
    throw new Error(`${configPath} has no main or compatibility_date`)
  }
  const kvNamespaces: Record<string, string> = {}
  for (const entry of config.kv_namespaces ?? []) {
    if (typeof entry.binding === "string") kvNamespaces[entry.binding] = entry.binding
  }
  const sqliteClasses = new Set((config.migrations ?? []).flatMap((migration) => migration?.new_sqlite_classes ?? []))
  const durableObjects: WorkerOptions["durableObjects"] = {}
  for (const entry of config.durable_objects?.bindings ?? []) {
    // A class of another Worker (script_name) is not this bundle's to run.
    if (typeof entry.name !== "string" || typeof entry.class_name !== "string" || entry.script_name !== undefined)
      continue
    durableObjects[entry.name] = { className: entry.class_name, useSQLite: sqliteClasses.has(entry.class_name) }
  }
  const scriptPath = resolve(dirname(configPath), config.main)
  return {
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: Array.isArray(config.compatibility_flags) ? config.compatibility_flags : [],
    kvNamespaces,
    durableObjects,
  }
}
