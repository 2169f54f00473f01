// The sessions example served by `layeron start` in a child process of its
// own, for tests that need several app processes on one backend.
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { type LayeronApp, startLayeronApp } from "@layeron/test-support/layeron-app"

const entry = join(dirname(fileURLToPath(import.meta.url)), "../../app.ts")

export type AppProcess = LayeronApp

/** Starts `layeron start app.ts` on a free port with the given LAYERON_KV; resolves once it serves. */
export function startApp(kvUrl: string): Promise<AppProcess> {
  return startLayeronApp(entry, kvUrl)
}
