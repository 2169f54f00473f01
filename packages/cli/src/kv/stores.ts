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
  | { readonly kind: "cloudflare"; readonly entryPath: string }

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
  const bindings = stores.map(bindingOf)
  const state = await openWorkersState({
    entryPath: backend.entryPath,
    kv: bindings.flatMap((binding) => (binding.type === "kv_namespace" ? [binding.binding] : [])),
    objects: bindings.flatMap((binding) => (binding.type === "durable_object_namespace" ? [binding] : [])),
  })
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

type Binding =
  | { type: "kv_namespace"; binding: string }
  | { type: "durable_object_namespace"; binding: string; className: string }

/** A store's one binding on Workers: its KV namespace, or (a strong store) its Durable Object namespace. */
function bindingOf(store: KVStoreLike): Binding {
  const bindings = (store as { workersBindings?: () => readonly Binding[] }).workersBindings?.() ?? []
  const found = bindings.find(
    (binding) => binding.type === "kv_namespace" || binding.type === "durable_object_namespace",
  )
  if (found === undefined)
    throw new UserError(`${store.name} has no Workers binding, so --target cloudflare cannot reach it`)
  return found
}

async function startAll(stores: readonly KVStoreLike[], context: Parameters<KVStoreLike["start"]>[0]): Promise<void> {
  await Promise.all(stores.map((store) => store.start(context)))
}

async function closeAll(stores: readonly KVStoreLike[]): Promise<void> {
  await Promise.allSettled(stores.map((store) => store.close()))
}
