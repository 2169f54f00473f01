import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { resolveEntry } from "../load-app.js"
import { parsePort } from "../options.js"

export interface DevOptions {
  entry: string | undefined
  port: string | undefined
  host: string | undefined
}

/**
 * Runs `layeron start` under tsx's watcher: TypeScript runs directly, and the
 * server restarts whenever a file the app imports changes.
 */
export async function dev(options: DevOptions): Promise<number> {
  resolveEntry(options.entry)
  parsePort(options.port, "--port")
  const require = createRequire(import.meta.url)
  const tsxCli = require.resolve("tsx/cli")
  const cli = fileURLToPath(new URL("../cli.js", import.meta.url))
  const args = [tsxCli, "watch", "--clear-screen=false", cli, "start", "--dev", options.entry as string]
  if (options.port !== undefined) args.push("--port", options.port)
  if (options.host !== undefined) args.push("--host", options.host)
  const child = spawn(process.execPath, args, { stdio: "inherit" })
  const forward = (signal: NodeJS.Signals) => child.kill(signal)
  process.on("SIGINT", forward)
  process.on("SIGTERM", forward)
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 0 : 1)))
  })
}
