import { existsSync, statSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import type { Backend } from "@layeron/core"
import { createdBackends, isBackend } from "@layeron/core/internal"
import { UserError } from "./user-error.js"

/** The absolute path of an entry file, or a one-line error when there is none. */
export function resolveEntry(entry: string | undefined, command: string): string {
  if (entry === undefined) throw new UserError(`Name the app's entry file, e.g. layeron ${command} app.ts`)
  const path = resolve(entry)
  if (!existsSync(path)) throw new UserError(`Entry file not found: ${entry}`)
  if (!statSync(path).isFile()) throw new UserError(`Entry is not a file: ${entry}`)
  return path
}

/**
 * Runs an entry file (TypeScript included) and returns its app: the default
 * export if it is one, else the last app the file created with `backend()`.
 * `registerTsx: false` when tsx's loader is already in place (under `tsx watch`).
 */
export async function loadApp(entryPath: string, options: { registerTsx: boolean }): Promise<Backend<unknown>> {
  if (options.registerTsx) {
    // Both hooks, as `tsx` itself does: without a "type": "module" package.json
    // an entry compiles to CommonJS, which the ESM hook alone cannot load.
    const [esm, cjs] = await Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")])
    esm.register()
    cjs.register()
  }
  const before = createdBackends().length
  const exports = (await import(pathToFileURL(entryPath).href)) as { default?: unknown }
  const exported = defaultExport(exports)
  if (isBackend(exported)) return exported as Backend<unknown>
  const created = createdBackends().slice(before)
  const app = created[created.length - 1]
  if (app === undefined) {
    throw new UserError(`${entryPath} created no app: call backend() from @layeron/core in it`)
  }
  return app
}

/** `export default app`, also when the entry was compiled to CommonJS (then it is `exports.default.default`). */
function defaultExport(exports: { default?: unknown }): unknown {
  const value = exports.default
  if (isBackend(value)) return value
  return typeof value === "object" && value !== null ? (value as { default?: unknown }).default : undefined
}
