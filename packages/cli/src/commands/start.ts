import { loadApp, resolveEntry } from "../load-app.js"
import { listenSettings, type ServeFlags } from "../options.js"
import { logRequests, parseLogSetting } from "../request-log.js"

export interface StartOptions extends ServeFlags {
  entry: string | undefined
  /** `--log`: none by default, so production serving does no per-request work for it. */
  log: string | undefined
}

/**
 * Serves an app on Node.js. The process then lives until SIGTERM/SIGINT, on
 * which core's server drains in-flight requests, closes the modules and exits 0.
 */
export async function start(options: StartOptions): Promise<void> {
  const entryPath = resolveEntry(options.entry, "start")
  const settings = listenSettings(options)
  const log = parseLogSetting(options.log, "none")
  const app = await loadApp(entryPath, { registerTsx: true })
  const server = await app.listen(settings)
  if (log === "requests") logRequests(server.server)
  console.log(`layeron start: serving ${options.entry} at ${server.url}`)
}
