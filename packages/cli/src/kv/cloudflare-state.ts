import { join } from "node:path"
import { Miniflare } from "miniflare"
import { COMPATIBILITY_DATE } from "../build/wrangler-config.js"

/**
 * The KV state `layeron dev --target cloudflare` keeps under
 * .layeron/cloudflare-kv (dev-cloudflare.ts), opened in workerd through
 * Miniflare with one namespace per binding, each namespace's local id being
 * its binding name as in dev. `env` holds the bindings as a Worker sees them,
 * so a store opens on it exactly as it does on Workers.
 */
export interface WorkersState {
  readonly env: Readonly<Record<string, unknown>>
  readonly dir: string
  dispose(): Promise<void>
}

// Where dev keeps it, relative to the folder the command runs in (dev-cloudflare.ts's KV_DIR).
const KV_DIR = join(".layeron", "cloudflare-kv")

export async function openWorkersState(bindings: readonly string[]): Promise<WorkersState> {
  const mf = new Miniflare({
    modules: true,
    // Nothing is served: the bindings are used from Node.js.
    script: "export default { fetch: () => new Response(null, { status: 404 }) }",
    compatibilityDate: COMPATIBILITY_DATE,
    kvNamespaces: Object.fromEntries(bindings.map((binding) => [binding, binding])),
    kvPersist: KV_DIR,
  })
  await mf.ready
  const env = await mf.getBindings()
  return { env, dir: KV_DIR, dispose: () => mf.dispose() }
}
