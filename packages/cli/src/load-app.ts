import { existsSync, statSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { type Backend, createdBackends, isBackend } from "@layeron/core"
import { UserError } from "./user-error.js"

/** The absolute path of an entry file, or a one-line error when there is none. */
export function resolveEntry(entry: string | undefined): string {
  if (entry === undefined) throw new UserError("Name the app's entry file, e.g. layeron start app.ts")
  const path = resolve(entry)
  if (!existsSync(path)) throw new UserError(`Entry file not found: ${entry}`)
  if (!statSync(path).isFile()) throw new UserError(`Entry is not a file: ${entry}`)
  return path
}

/**
 * Runs an entry file (TypeScript included) and returns its app: the default
 * export if it is one, else the app the file created with `backend()`.
 */
export async function loadApp(entryPath: string): Promise<Backend<unknown>> {
  const { register } = await import("tsx/esm/api")
  register()
  const before = createdBackends().length
  const exports = (await import(pathToFileURL(entryPath).href)) as { default?: unknown }
  if (isBackend(exports.default)) return exports.default as Backend<unknown>
  const created = createdBackends().slice(before)
  const app = created[created.length - 1]
  if (app === undefined) {
    throw new UserError(`${entryPath} created no app: call backend() from @layeron/core in it`)
  }
  return app
}
