// The docs' example served by `layeron start` in a child process of its own,
// so a test can kill -9 it, send it SIGTERM and restart it on the same file.
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { type LayeronApp, startLayeronApp } from "@layeron/test-support/layeron-app"

const entry = join(dirname(fileURLToPath(import.meta.url)), "../../app.ts")

export type CliServer = LayeronApp

/** Starts `layeron start app.ts` on a free port with the given LAYERON_KV; resolves once it serves. */
export function startExample(kvUrl: string): Promise<CliServer> {
  return startLayeronApp(entry, kvUrl)
}
