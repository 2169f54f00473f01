import type { IncomingMessage, Server, ServerResponse } from "node:http"
import { performance } from "node:perf_hooks"
import { UserError } from "./user-error.js"

/** What `--log` takes: `requests` prints a line per request, `none` nothing. */
export type LogSetting = "requests" | "none"

export function parseLogSetting(raw: string | undefined, fallback: LogSetting): LogSetting {
  if (raw === undefined) return fallback
  if (raw === "requests" || raw === "none") return raw
  throw new UserError(`--log must be "requests" or "none", got "${raw}"`)
}

/**
 * Prints `GET /api/profile 200 1.2 ms` to stdout once each response has
 * finished, or `... (client closed)` when the client left first. The path
 * goes without its query string, which can carry tokens; headers and bodies
 * are never printed. Called only when the log is on: with it off the server
 * has no listener and no timer more than before.
 */
export function logRequests(server: Server): void {
  // Prepended, so the clock starts before the app's own listener runs.
  server.prependListener("request", (request: IncomingMessage, response: ServerResponse) => {
    const startedAt = performance.now()
    response.once("close", () => {
      const ms = (performance.now() - startedAt).toFixed(1)
      const status = response.headersSent ? String(response.statusCode) : "-"
      const closed = response.writableFinished ? "" : " (client closed)"
      console.log(`${request.method} ${printablePath(request.url)} ${status} ${ms} ms${closed}`)
    })
  })
}

/** The path without the query string, control characters escaped so a request cannot write to the terminal. */
function printablePath(url: string | undefined): string {
  const path = (url ?? "").split("?", 1)[0] as string
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return path.replace(/[\u0000-\u001f\u007f]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`)
}
