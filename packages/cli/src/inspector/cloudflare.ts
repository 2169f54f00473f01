// `layeron dev --target cloudflare`: the app's stores live in workerd, in
// Miniflare's local KV and (strong stores) in the Worker's Durable Objects.
// A second worker takes the inspector's routes and hands each request to
// Node.js through a service binding; there the inspector reads each binding
// through Miniflare with the app's own @layeron/modules driver for it
// (cloudflare, or durable-objects calling the objects over RPC), so entries
// decode exactly as the Worker stores them. The Worker bundle itself never contains any of this.
import type { IncomingMessage, ServerResponse } from "node:http"
import { createRequire } from "node:module"
import { pathToFileURL } from "node:url"
import type { Miniflare } from "miniflare"
import type { ModuleBinding } from "../build/discover.js"
import { CLASS_PREFIX } from "../build/durable-objects.js"
import { isLoopbackHostname, newToken } from "./guard.js"
import { INSPECTOR_PATH, inspectorHandler, isInspectorPath } from "./handler.js"
import { answerFromNode } from "./node.js"
import type { InspectableKV, InspectedStore, StoreSource } from "./stores.js"

const WORKER_NAME = "layeron-inspector"
const FORWARD_SCRIPT = "export default { fetch: (request, env) => env.INSPECTOR.fetch(request) }"

export interface CloudflareInspector {
  /** What `layeron dev` prints about it, given the URL it serves at. */
  line(origin: string): string
  /** Miniflare options for the app's worker, with the inspector's worker beside it when it is on. */
  // biome-ignore lint/suspicious/noExplicitAny: Miniflare's worker options are a large union; they pass through unchanged
  wrap<T extends { compatibilityDate?: string }>(app: T): T | { workers: any[] }
}

export function cloudflareInspector(options: {
  entryPath: string
  /** The interface Miniflare listens on. */
  hostname: string
  /** The store bindings of the latest build. */
  bindings: () => readonly ModuleBinding[]
}): CloudflareInspector {
  // Miniflare gives no trustworthy client address (a client can send its own
  // CF-Connecting-IP), so the inspector is on only when workerd listens on loopback alone.
  if (!isLoopbackHostname(options.hostname)) {
    return {
      line: () =>
        `layeron dev: no inspector: it answers only on this machine's loopback, and --host ${options.hostname} is not`,
      wrap: (app) => app,
    }
  }
  const token = newToken()
  const modules = lazyModules(options.entryPath)
  const serve = (req: IncomingMessage, res: ServerResponse, mf: Miniflare) => {
    const handler = inspectorHandler({ token, stores: storesIn(mf, options.bindings(), modules) })
    const path = new URL(req.url ?? "/", "http://x").pathname
    if (!isInspectorPath(path)) {
      res.statusCode = 404
      res.end()
      return
    }
    return answerFromNode(handler, req, res, { checkRemote: false })
  }
  return {
    line: (origin) => `layeron dev: inspector at ${origin}${INSPECTOR_PATH}/`,
    wrap: (app) => ({
      workers: [
        app,
        {
          name: WORKER_NAME,
          modules: true,
          script: FORWARD_SCRIPT,
          compatibilityDate: app.compatibilityDate,
          routes: [`*${INSPECTOR_PATH}`, `*${INSPECTOR_PATH}/*`],
          serviceBindings: { INSPECTOR: { node: serve } },
        },
      ],
    }),
  }
}

interface ModulesLib {
  storage: {
    kv(options: { namespace: string; name: string; consistency: string; driver: unknown }): InspectableKV
  }
  cloudflareDriver(kv: unknown, options: { label: string }): unknown
  durableObjectsDriver(namespace: unknown, options: { label: string; shards?: number }): unknown
}

/** The app's own @layeron/modules, found from its entry as the app's imports find it; loaded on first use. */
function lazyModules(entryPath: string): () => Promise<ModulesLib> {
  let loading: Promise<ModulesLib> | undefined
  return () => {
    loading ??= (async () => {
      const require = createRequire(entryPath)
      const [main, drivers, objects] = await Promise.all([
        import(pathToFileURL(require.resolve("@layeron/modules")).href),
        import(pathToFileURL(require.resolve("@layeron/modules/drivers/cloudflare")).href),
        import(pathToFileURL(require.resolve("@layeron/modules/drivers/durable-objects")).href),
      ])
      return {
        storage: main.storage,
        cloudflareDriver: drivers.cloudflareDriver,
        durableObjectsDriver: objects.durableObjectsDriver,
      } as ModulesLib
    })()
    loading.catch(() => {
      loading = undefined
    })
    return loading
  }
}

/**
 * Each store binding of the build as a store, opened through Miniflare only
 * when a call needs it: a KV namespace, or a strong store's Durable Object
 * namespace, whose objects Miniflare's Node.js proxy calls over RPC.
 */
function storesIn(mf: Miniflare, bindings: readonly ModuleBinding[], modules: () => Promise<ModulesLib>): StoreSource {
  return async () =>
    bindings.filter(isStoreBinding).map((binding): InspectedStore => {
      const label = labelOf(binding)
      const strong = binding.type === "durable_object_namespace"
      let opening: Promise<InspectableKV> | undefined
      const open = () => {
        opening ??= (async () => {
          const lib = await modules()
          const driver = strong
            ? lib.durableObjectsDriver(await mf.getDurableObjectNamespace(binding.binding), {
                label: `local Durable Objects ${binding.binding}`,
                // The app's own count: another would be recorded in an empty store (driver.ts).
                ...(binding.shards === undefined ? {} : { shards: binding.shards }),
              })
            : lib.cloudflareDriver(await mf.getKVNamespace(binding.binding), { label: `local KV ${binding.binding}` })
          const slash = label.indexOf("/")
          return lib.storage.kv({
            namespace: slash > 0 ? label.slice(0, slash) : "default",
            name: slash > 0 ? label.slice(slash + 1) : label,
            consistency: strong ? "strong" : "eventual",
            driver,
          })
        })()
        return opening
      }
      return {
        id: binding.binding,
        label,
        details: [
          strong ? `Durable Object binding ${binding.binding} (strong store)` : `Workers KV binding ${binding.binding}`,
        ],
        kv: {
          list: async (options) => (await open()).list(options),
          get: async (key) => (await open()).get(key),
          delete: async (key) => (await open()).delete(key),
        },
      }
    })
}

/** A KV namespace, or the Durable Object namespace of a strong store's class (not some other module's object). */
function isStoreBinding(binding: ModuleBinding): boolean {
  return binding.type === "kv_namespace" || binding.className.startsWith(CLASS_PREFIX)
}

/** `storage.kv(auth/user-sessions)` as `auth/user-sessions`; another module's binding with the module's name. */
function labelOf(binding: ModuleBinding): string {
  return /^storage\.kv\((.+)\)$/s.exec(binding.module)?.[1] ?? `${binding.module} ${binding.binding}`
}
