import { loadApp, resolveEntry } from "../load-app.js"
import { UserError } from "../user-error.js"
import { openWorkersState } from "./cloudflare-state.js"
import { isKVStore, type KVStoreLike, sameStoreOn, storePath } from "./store-api.js"

/** Where the stores are read and written. */
export type Backend =
  /** `LAYERON_KV` (or each store's own `driver`), as `layeron start` would open them. */
  | { readonly kind: "app" }
  /** A `LAYERON_KV` URL given on the command line (copy --from / --to). */
  | { readonly kind: "url"; readonly url: string }
  /** The local Workers state of `layeron dev --target cloudflare`. */
  | { readonly kind: "cloudflare" }

/**
 * The storage.kv stores the entry declares with `app.use()`, found by
 * loading the app (as `layeron build` does), never by reading its source.
 */
export async function declaredStores(entry: string | undefined, command: string): Promise<KVStoreLike[]> {
  const entryPath = resolveEntry(entry, command)
  const app = await loadApp(entryPath, { registerTsx: true })
  const stores = app.modules.filter(isKVStore)
  if (stores.length === 0) throw new UserError(`${entry} declares no storage.kv store with app.use()`)
  return stores
}

/** The declared store at `namespace/name`, or a one-line error listing the declared ones. */
export function findStore(stores: readonly KVStoreLike[], path: string | undefined): KVStoreLike {
  const declared = stores.map(storePath).join(", ")
  if (path === undefined) throw new UserError(`Name the store as namespace/name; the app declares ${declared}`)
  const found = stores.find((store) => storePath(store) === path)
  if (found !== undefined) return found
  const hint = path.includes("/") ? "" : " (a store is named namespace/name)"
  throw new UserError(`No store ${JSON.stringify(path)} in the app${hint}; it declares ${declared}`)
}

export interface OpenedStores {
  readonly stores: KVStoreLike[]
  close(): Promise<void>
}

/** Opens the stores on a backend, each as the app itself would open it there. */
export async function openStores(stores: readonly KVStoreLike[], backend: Backend): Promise<OpenedStores> {
  if (backend.kind === "app") {
    await startAll(stores, { env: process.env, runtime: "node" })
    return { stores: [...stores], close: () => closeAll(stores) }
  }
  if (backend.kind === "url") {
    const opened = stores.map((store) => sameStoreOn(store, backend.url))
    await startAll(opened, { env: {}, runtime: "node" })
    return { stores: opened, close: () => closeAll(opened) }
  }
  const state = await openWorkersState(stores.map(bindingOf))
  const opened = stores.map((store) => sameStoreOn(store, undefined))
  try {
    await startAll(opened, { env: state.env, runtime: "workers" })
  } catch (error) {
    await state.dispose()
    throw error
  }
  return {
    stores: opened,
    close: async () => {
      await closeAll(opened)
      await state.dispose()
    },
  }
}

function bindingOf(store: KVStoreLike): string {
  type Binding = { type: string; binding: string }
  const bindings = (store as { workersBindings?: () => readonly Binding[] }).workersBindings?.() ?? []
  const kv = bindings.find((binding) => binding.type === "kv_namespace")
  // A store on another kind of binding (a Durable Object) lives in the Worker's own state, not in KV.
  if (kv === undefined)
    throw new UserError(`${store.name} is not kept in Workers KV, so --target cloudflare cannot reach it`)
  return kv.binding
}

async function startAll(stores: readonly KVStoreLike[], context: Parameters<KVStoreLike["start"]>[0]): Promise<void> {
  await Promise.all(stores.map((store) => store.start(context)))
}

async function closeAll(stores: readonly KVStoreLike[]): Promise<void> {
  await Promise.allSettled(stores.map((store) => store.close()))
}
