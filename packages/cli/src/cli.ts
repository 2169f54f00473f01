#!/usr/bin/env node
import { parseArgs } from "node:util"
import { dev } from "./commands/dev.js"
import { start } from "./commands/start.js"
import { isOneLineError, UserError } from "./user-error.js"

const USAGE = `Usage:
  layeron dev <entry.ts> [--port N] [--host H]     run the app, reloading on change
  layeron start <entry> [--port N] [--host H]      serve the app (PORT, HOST, LAYERON_KV from the environment)

Environment:
  PORT        port to listen on (default 3000)
  HOST        interface to listen on (default: all)
  LAYERON_KV  storage URL: sqlite:<path> (default sqlite:./.layeron/kv.db) or memory:`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    console.log(USAGE)
    return command === undefined ? 1 : 0
  }
  const { values, positionals } = parseCommand(rest)
  const options = { entry: positionals[0], port: values.port, host: values.host }
  if (positionals.length > 1) throw new UserError(`Unexpected argument: ${positionals[1]}`)
  switch (command) {
    case "dev":
      return dev(options)
    case "start":
      await start({ ...options, dev: values.dev ?? false })
      return -1
    default:
      throw new UserError(`Unknown command "${command}"; run layeron --help`)
  }
}

function parseCommand(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: "string", short: "p" },
        host: { type: "string" },
        dev: { type: "boolean" },
      },
    })
  } catch (error) {
    throw new UserError((error as Error).message)
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: a server is running; the process lives until it is shut down.
    if (code >= 0) process.exit(code)
  },
  (error: unknown) => {
    if (isOneLineError(error)) {
      console.error(`layeron: ${error.message}`)
    } else {
      console.error("layeron: the app failed to start:", error)
    }
    process.exit(1)
  },
)
