import { basename, dirname, resolve } from "node:path"
import { build, formatMessages, type Message, type Metafile } from "esbuild"
import { UserError } from "../user-error.js"

export interface WorkerBundle {
  /** Files the bundle was made from, outside node_modules: what `dev` watches. */
  readonly inputs: string[]
  /** The bundle imports `node:` modules, which Workers serves only with nodejs_compat. */
  readonly importsNode: boolean
}

/**
 * The Worker module: the entry, then the app it registered, served as
 * `export default { fetch }`. An entry that exports its app is served as is;
 * one that only calls `backend()` (as the docs' examples do) is found in the
 * registry, as `layeron start` finds it.
 */
function workerSource(entryPath: string, classes: readonly string[]): string {
  const entry = JSON.stringify(entryPath)
  const name = JSON.stringify(basename(entryPath))
  return `${objectClasses(classes)}import * as entry from ${entry}
import { createdBackends, isBackend } from "@layeron/core/internal"
const app = isBackend(entry.default) ? entry.default : createdBackends().at(-1)
if (app === undefined) throw new Error(${name} + " created no app: call backend() from @layeron/core in it")
export default { fetch: (request, env, ctx) => app.fetch(request, env, ctx) }
`
}

/** The Durable Object class of each strong store (@layeron/modules/drivers/durable-objects), exported by name. */
function objectClasses(classes: readonly string[]): string {
  if (classes.length === 0) return ""
  return `import { DurableObject } from "cloudflare:workers"
import { durableKVObject } from "@layeron/modules/drivers/durable-objects"
const LayeronKVObject = durableKVObject(DurableObject)
${classes.map((name) => `export class ${name} extends LayeronKVObject {}\n`).join("")}`
}

/**
 * Only the strong stores' Durable Object classes, from the @layeron/modules
 * the entry resolves, as one ES module: what `layeron kv --target
 * cloudflare` runs in workerd to reach the objects `layeron dev --target
 * cloudflare` persisted.
 */
export async function bundleObjectClasses(entryPath: string, classes: readonly string[]): Promise<string> {
  const result = await build({
    stdin: {
      contents: `${objectClasses(classes)}export default { fetch: () => new Response(null, { status: 404 }) }\n`,
      resolveDir: dirname(entryPath),
      sourcefile: "layeron-objects.js",
    },
    write: false,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    external: ["node:*", "cloudflare:*"],
    logLevel: "silent",
  })
  return result.outputFiles[0]?.text ?? ""
}

/**
 * Bundles the entry into one minified ES module for workerd, as wrangler
 * would resolve it, exporting `classes` (Durable Object classes of strong stores).
 */
export async function bundleWorker(
  entryPath: string,
  outfile: string,
  classes: readonly string[] = [],
): Promise<WorkerBundle> {
  let result: Awaited<ReturnType<typeof build>>
  try {
    result = await build({
      stdin: {
        contents: workerSource(entryPath, classes),
        resolveDir: dirname(entryPath),
        sourcefile: "layeron-worker.js",
      },
      outfile,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      // Packages pick their Workers files by these, as wrangler does (Layeron's Node.js-only files drop out).
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      external: ["node:*", "cloudflare:*"],
      minify: true,
      sourcemap: "linked",
      legalComments: "none",
      metafile: true,
      logLevel: "silent",
      // The wrapper reads `entry.default` whether or not the entry has one.
      logOverride: { "import-is-undefined": "silent" },
    })
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors
    if (!errors?.length) throw error
    const text = await formatMessages(errors.slice(0, 3), { kind: "error", color: false })
    throw new UserError(`the Worker bundle failed:\n${text.join("").trimEnd()}`)
  }
  const metafile = result.metafile as Metafile
  const inputs = Object.keys(metafile.inputs)
    .filter((path) => !path.includes("node_modules") && path !== "<stdin>")
    .map((path) => resolve(path))
  const importsNode = Object.values(metafile.outputs).some((output) =>
    output.imports.some((imported) => imported.external && imported.path.startsWith("node:")),
  )
  return { inputs, importsNode }
}
