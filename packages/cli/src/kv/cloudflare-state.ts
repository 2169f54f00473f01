import { createRequire } from "node:module"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Miniflare } from "miniflare"
import { bundleObjectClasses } from "../build/bundle.js"
import { COMPATIBILITY_DATE } from "../build/wrangler-config.js"

/**
 * The local Workers state `layeron dev --target cloudflare` keeps: KV under
 * .layeron/cloudflare-kv, one namespace per binding whose local id is its
 * binding name, and strong stores' Durable Objects under
 * .layeron/cloudflare-do, run here by their own classes in an unnamed worker
 * as in dev (Miniflare keys an object's data by worker name and class). `env`
 * holds the bindings as a Worker sees them, so a store opens on it exactly as
 * it does on Workers; Miniflare's Node.js proxy carries the calls to the objects.
 */
export interface WorkersState {
  readonly env: Readonly<Record<string, unknown>>
  dispose(): Promise<void>
}

export interface StateBindings {
  /** The entry, whose @layeron/modules provides the Durable Object classes. */
  readonly entryPath: string
  readonly kv: readonly string[]
  readonly objects: readonly { readonly binding: string; readonly className: string }[]
}

// Where dev keeps them, relative to the folder the command runs in (dev-cloudflare.ts's KV_DIR and DO_DIR).
const KV_DIR = join(".layeron", "cloudflare-kv")
const DO_DIR = join(".layeron", "cloudflare-do")
const NO_OBJECTS = "export default { fetch: () => new Response(null, { status: 404 }) }"

export async function openWorkersState(bindings: StateBindings): Promise<WorkersState> {
  const { entryPath, kv, objects } = bindings
  if (objects.length > 0) await registerStrongDriver(entryPath)
  const mf = new Miniflare({
    modules: true,
    // Nothing is served: the bindings are used from Node.js.
    script:
      objects.length === 0
        ? NO_OBJECTS
        : await bundleObjectClasses(
            entryPath,
            objects.map((object) => object.className),
          ),
    compatibilityDate: COMPATIBILITY_DATE,
    kvNamespaces: Object.fromEntries(kv.map((binding) => [binding, binding])),
    kvPersist: KV_DIR,
    durableObjects: Object.fromEntries(
      objects.map((object) => [object.binding, { className: object.className, useSQLite: true }]),
    ),
    durableObjectsPersist: DO_DIR,
  })
  await mf.ready
  const env = await mf.getBindings()
  return { env, dispose: () => mf.dispose() }
}

/** The app's own durable-objects driver, registered for its strong stores on Workers as the bundle's import registers it. */
async function registerStrongDriver(entryPath: string): Promise<void> {
  const require = createRequire(entryPath)
  await import(pathToFileURL(require.resolve("@layeron/modules/drivers/durable-objects")).href)
}
