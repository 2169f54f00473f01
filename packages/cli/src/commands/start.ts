import { loadApp, resolveEntry } from "../load-app.js"
import { parsePort } from "../options.js"

export interface StartOptions {
  entry: string | undefined
  port: string | undefined
  host: string | undefined
  /** Set by `layeron dev` for the process it restarts on change. */
  dev: boolean
}

/** Serves an app on Node.js until SIGTERM/SIGINT, then drains and exits 0. */
export async function start(options: StartOptions): Promise<void> {
  const entryPath = resolveEntry(options.entry)
  const port = parsePort(options.port, "--port") ?? parsePort(process.env.PORT, "PORT") ?? 3000
  const hostname = options.host ?? (process.env.HOST || undefined)
  const app = await loadApp(entryPath)
  const server = await app.listen({ port, hostname })
  const mode = options.dev ? "dev" : "start"
  console.log(`layeron ${mode}: serving ${options.entry} at ${server.url}`)
}
