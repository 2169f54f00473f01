#!/usr/bin/env node
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { printFailure } from "./report.js"
import { UserError } from "./user-error.js"

const USAGE = `Usage:
  layeron dev <entry.ts> [--port N] [--host H] [--log requests|none]
                                                   run the app from source, restarting on change;
                                                   prints a line per request unless --log none
  layeron start <entry> [--port N] [--host H] [--log requests|none]
                                                   serve the app; SIGTERM drains and exits 0;
                                                   prints no request lines unless --log requests
  layeron build --target cloudflare <entry> [--outdir DIR]
                                                   bundle for Cloudflare Workers, with wrangler.jsonc (default dist/cloudflare)
  layeron dev --target cloudflare <entry> [--port N] [--host H]
                                                   run the Worker build in workerd, KV kept in .layeron/
  layeron kv <list|get|put|delete|export|import|copy> <entry> ...
                                                   read and write the app's stores (layeron kv --help)
  layeron help                                     show this help
  layeron --version                                print the version (also -v)

Environment:
  PORT        port to listen on when --port is not given (default 3000)
  HOST        interface to listen on when --host is not given (default: all)
  LAYERON_KV  storage URL: sqlite:<path> (default sqlite:./.layeron/kv.db), memory:,
              redis://[user:password@]host:port[/db][?cache=on], rediss://..., redis+cluster://host:port,...,
              postgres://[user[:password]@]host[:port][/database][?sslmode=require&pool=10]`

const COMMANDS = new Set(["dev", "start", "build"])

/** The entry as the user typed it, once known, to say which app failed. */
let entryForMessages: string | undefined

/** Resolves to an exit code, or to "serving" while a server keeps the process alive. */
async function main(argv: string[]): Promise<number | "serving"> {
  const [command, ...rest] = argv
  if (command === undefined) {
    console.error(USAGE)
    return 1
  }
  if (command === "help" || command === "--help" || command === "-h") {
    console.log(USAGE)
    return 0
  }
  if (command === "--version" || command === "-v" || command === "version") {
    console.log(version())
    return 0
  }
  if (command === "kv") {
    entryForMessages = rest[1]
    const { kv, KV_USAGE } = await import("./commands/kv.js")
    if (rest.length === 0) {
      console.error(`Usage:\n${KV_USAGE}`)
      return 1
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(`Usage:\n${KV_USAGE}`)
      return 0
    }
    return kv(rest)
  }
  if (!COMMANDS.has(command))
    throw new UserError(`Unknown command "${command}"; run layeron --help to see the commands`)
  const { values, positionals } = parseCommand(command, rest)
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (positionals.length > 1)
    throw new UserError(`Unexpected argument "${positionals[1]}"; ${command} takes one entry file`)
  const options = { entry: positionals[0], port: values.port, host: values.host, log: values.log }
  entryForMessages = options.entry
  // Each command loads only what it needs: `start` in production never loads esbuild or miniflare.
  if (command === "build" && values.log !== undefined)
    throw new UserError("--log is an option of layeron dev and start")
  if (command === "build") {
    const { build } = await import("./commands/build.js")
    return build({ entry: positionals[0], target: values.target, outdir: values.outdir })
  }
  if (values.outdir !== undefined) throw new UserError("--outdir is an option of layeron build")
  if (values.log !== undefined && values.target !== undefined)
    throw new UserError("--log is not an option of layeron dev --target cloudflare (workerd prints its own lines)")
  if (values.target !== undefined && (command !== "dev" || values.target !== "cloudflare")) {
    throw new UserError(
      `--target ${values.target} is not an option of layeron ${command}; try --target cloudflare with build or dev`,
    )
  }
  if (command === "dev" && values.target === "cloudflare") {
    const { devCloudflare } = await import("./commands/dev-cloudflare.js")
    return devCloudflare(options)
  }
  if (command === "dev") {
    const { dev } = await import("./commands/dev.js")
    return dev(options)
  }
  const { start } = await import("./commands/start.js")
  await start(options)
  return "serving"
}

/** This package's version, read from its package.json (dist/ sits beside it). */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
  return manifest.version
}

function parseCommand(command: string, args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: "string", short: "p" },
        host: { type: "string" },
        help: { type: "boolean", short: "h" },
        target: { type: "string" },
        outdir: { type: "string" },
        log: { type: "string" },
      },
    })
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    // Node's own wording explains `--` escaping at length; a user mistyped an option.
    const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'([^']+)'/.exec(message)?.[1] : undefined
    if (unknown !== undefined)
      throw new UserError(`Unknown option ${unknown} for layeron ${command}; run layeron --help`)
    throw new UserError(message)
  }
}

const argv = process.argv.slice(2)
main(argv).then(
  (result) => {
    // While serving, the process lives until a signal shuts the server down.
    if (result !== "serving") process.exit(result)
  },
  (error: unknown) => {
    printFailure(error, entryForMessages)
    process.exit(1)
  },
)
