#!/usr/bin/env node
// `npm create layeron@latest [folder]`: writes a new Layeron app into an empty
// folder. On a terminal it asks for what is missing; piped or in CI it asks
// nothing and takes the defaults.
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs"
import { relative, resolve } from "node:path"
import { parseArgs } from "node:util"
import { detectPackageManager } from "./package-manager.js"
import { packageNameFor } from "./project-name.js"
import { CancelledError, Terminal } from "./prompt.js"
import { writeProject } from "./template.js"

const USAGE = `Usage: npm create layeron@latest [folder] [-- --install]

  folder         where to write the app (asked on a terminal; default my-layeron-app)
  --install      install its dependencies afterwards (asked on a terminal; default no when piped)
  --no-install   do not install, and do not ask
  -v, --version  print the version`

const DEFAULT_FOLDER = "my-layeron-app"

/** A mistake the user can fix: one line, exit 1. */
class UsageError extends Error {}

function ownVersion(): string {
  return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv)
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (values.version) {
    console.log(ownVersion())
    return 0
  }
  if (positionals.length > 1) throw new UsageError(`Unexpected argument "${positionals[1]}"; give one folder`)
  // Everything is asked before anything is written, so a cancelled question leaves no half-made project.
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true
  const terminal = new Terminal()
  const packageManager = detectPackageManager()
  let folder: string
  let install: boolean
  try {
    folder = positionals[0] ?? (interactive ? await terminal.ask("Project folder:", DEFAULT_FOLDER) : DEFAULT_FOLDER)
    checkEmpty(resolve(folder), folder)
    install = await shouldInstall(values, interactive ? terminal : undefined, packageManager.name)
  } finally {
    terminal.close()
  }
  const dir = resolve(folder)
  mkdirSync(dir, { recursive: true })
  writeProject(dir, { name: packageNameFor(dir), layeronVersion: ownVersion(), packageManager })
  console.log(`Created a Layeron app in ${dir}`)

  if (install) {
    const result = spawnSync(packageManager.name, ["install"], { cwd: dir, stdio: "inherit" })
    if (result.status !== 0) {
      console.error(`create-layeron: ${packageManager.name} install failed; run it again in ${folder}`)
      return 1
    }
  }

  const cd = relative(process.cwd(), dir) || "."
  console.log("\nNext:")
  if (cd !== ".") console.log(`  cd ${cd.includes(" ") ? JSON.stringify(cd) : cd}`)
  if (!install) console.log(`  ${packageManager.name} install`)
  console.log(`  ${packageManager.run} dev     # http://localhost:3000`)
  console.log(`  ${packageManager.run} test`)
  return 0
}

async function shouldInstall(
  values: { install?: boolean; "no-install"?: boolean },
  terminal: Terminal | undefined,
  packageManager: string,
): Promise<boolean> {
  if (values["no-install"]) return false
  if (values.install !== undefined) return values.install
  return terminal ? terminal.confirm(`Install dependencies with ${packageManager}?`) : false
}

/** Refuses a folder that holds anything but a fresh `git init`, so nothing of the user's is overwritten. */
function checkEmpty(dir: string, asTyped: string): void {
  if (!existsSync(dir)) return
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    throw new UsageError(`${asTyped} exists and is not a folder`)
  }
  if (entries.some((entry) => entry !== ".git")) {
    throw new UsageError(`${asTyped} is not empty; choose a new folder name, or empty it first`)
  }
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        install: { type: "boolean" },
        "no-install": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    })
  } catch (error) {
    // Node's own wording explains `--` escaping at length; the user mistyped an option.
    const { code, message } = error as NodeJS.ErrnoException
    const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'([^']+)'/.exec(message)?.[1] : undefined
    throw new UsageError(`${unknown === undefined ? message : `Unknown option ${unknown}`}; run with --help`)
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CancelledError) console.error("\ncreate-layeron: cancelled; nothing was written")
    else if (error instanceof UsageError) console.error(`create-layeron: ${error.message}`)
    else console.error("create-layeron: failed:", error)
    process.exit(1)
  },
)
