import type { WorkersBinding } from "@layeron/core"
import type { KVDriver } from "./driver.js"

/** What a store tells the Workers driver about itself. */
export interface WorkersStore {
  /** For messages: `storage.kv(auth/user-sessions)`. */
  readonly name: string
  readonly namespace: string
  readonly storeName: string
  readonly portable: boolean
  readonly consistency: "strong" | "eventual"
  /** A strong store's shard count (Durable Objects), when it sets one. */
  readonly shards: number | undefined
}

/**
 * The driver of a store declared with `app.use()` on Cloudflare Workers, and
 * the binding `layeron build` declares for it. The package entry registers
 * drivers/cloudflare/binding.ts (Workers KV for eventual stores, Durable
 * Objects for strong ones), so the store names no driver.
 */
export interface WorkersDriver {
  /** The binding the store reads; throws `KV_CONFIG_INVALID` for a store Workers cannot hold. */
  bindingOf(store: WorkersStore): WorkersBinding
  /** Opens the store's driver on its binding in `env`, loading the driver's code only now. */
  open(env: Readonly<Record<string, unknown>>, store: WorkersStore): Promise<KVDriver>
}

let registered: WorkersDriver | undefined

export function registerWorkersDriver(driver: WorkersDriver): void {
  registered = driver
}

export function workersDriver(): WorkersDriver {
  if (registered === undefined) throw new Error("no storage driver for Cloudflare Workers is registered")
  return registered
}

/** Opens a strong store's driver on Workers: `env`, the store and its binding name. */
export type StrongWorkersDriver = (
  env: Readonly<Record<string, unknown>>,
  store: WorkersStore,
  binding: string,
) => KVDriver

let strong: StrongWorkersDriver | undefined

/**
 * Registered by @layeron/modules/drivers/durable-objects when the Worker
 * imports it (the bundle does, to export the strong stores' classes), so a
 * Worker without strong stores carries none of that driver.
 */
export function registerStrongWorkersDriver(open: StrongWorkersDriver): void {
  strong = open
}

export function strongWorkersDriver(): StrongWorkersDriver | undefined {
  return strong
}
