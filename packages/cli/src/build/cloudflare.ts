import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { basename, dirname, join, relative, resolve } from "node:path"
import { gzipSync } from "node:zlib"
import { UserError } from "../user-error.js"
import { bundleWorker } from "./bundle.js"
import { discoverBindings, type ModuleBinding } from "./discover.js"
import { planDurableObjects } from "./durable-objects.js"
import { parseJsonc } from "./jsonc.js"
import { workerName, wranglerConfig } from "./wrangler-config.js"

export const DEFAULT_OUTDIR = join("dist", "cloudflare")
export const WORKER_FILE = "worker.js"
export const CONFIG_FILE = "wrangler.jsonc"

export interface CloudflareBuild {
  readonly workerPath: string
  readonly configPath: string
  readonly bindings: readonly ModuleBinding[]
  /** Bindings whose namespace id is still to be filled in. */
  readonly missingIds: readonly string[]
  /** Durable Object classes this build added a migration for. */
  readonly addedClasses: readonly string[]
  readonly bytes: number
  /** The bundle's size after `gzip -9`, which is what Workers' size limit counts. */
  readonly gzipBytes: number
  readonly inputs: readonly string[]
}

/** Bundles an app for Cloudflare Workers and writes its wrangler.jsonc into `outdir`. */
export async function buildCloudflare(entryPath: string, outdir: string, command: string): Promise<CloudflareBuild> {
  const out = resolve(outdir)
  mkdirSync(out, { recursive: true })
  const workerPath = join(out, WORKER_FILE)
  const configPath = join(out, CONFIG_FILE)
  // Both run the entry's code; a compile error is told by the bundler, which names the file and line.
  const discovering = discoverBindings(entryPath)
  discovering.catch(() => {})
  const previous = readPrevious(configPath)
  let bundle = await bundleWorker(entryPath, workerPath)
  const bindings = await discovering
  // Strong stores need their Durable Object classes exported: known only once the app is loaded.
  const objects = planDurableObjects(bindings, previous?.migrations)
  if (objects.classes.length > 0) bundle = await bundleWorker(entryPath, workerPath, objects.classes)
  const config = wranglerConfig({
    name: workerName(packageName(dirname(entryPath)) ?? basename(dirname(entryPath))),
    main: WORKER_FILE,
    bindings,
    previous,
    migrations: objects.migrations,
    nodejsCompat: bundle.importsNode,
    command,
  })
  writeFileSync(configPath, config.text)
  const code = readFileSync(workerPath)
  return {
    workerPath,
    configPath,
    bindings,
    missingIds: config.missingIds,
    addedClasses: objects.added,
    bytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    inputs: bundle.inputs,
  }
}

function readPrevious(configPath: string): Record<string, unknown> | undefined {
  if (!existsSync(configPath)) return undefined
  let parsed: unknown
  try {
    parsed = parseJsonc(readFileSync(configPath, "utf8"))
  } catch (error) {
    throw new UserError(
      `${relative(".", configPath)} is not valid JSONC (${(error as Error).message}); fix or delete it`,
    )
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`${relative(".", configPath)} is not a JSON object; fix or delete it`)
  }
  return parsed as Record<string, unknown>
}

/** The name in the nearest package.json at or above `dir`, if any. */
function packageName(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const path = join(current, "package.json")
    if (existsSync(path)) {
      try {
        const name = (JSON.parse(readFileSync(path, "utf8")) as { name?: unknown }).name
        return typeof name === "string" ? name : undefined
      } catch {
        return undefined
      }
    }
    if (dirname(current) === current) return undefined
  }
}
