import type { WorkersBinding } from "@layeron/core"
import { KVError } from "../../errors.js"
import { strongWorkersDriver, type WorkersDriver, type WorkersStore } from "../../workers-driver.js"
import { durableObjectClassName } from "../durable-objects/class-name.js"

/** A store's binding on Workers: namespace and name, uppercased, any other character "_" (auth/user-sessions: AUTH_USER_SESSIONS). */
export function workersBindingName(namespace: string, name: string): string {
  return `${namespace}_${name}`.toUpperCase().replace(/[^A-Z0-9]/g, "_")
}

/**
 * The binding name of a store on Workers. Checked by `layeron build` and when
 * the Worker starts: a store that lifts the 60 s TTL minimum cannot run there.
 */
export function workersBindingOf(store: WorkersStore): string {
  if (!store.portable) {
    throw new KVError(
      "KV_CONFIG_INVALID",
      `${store.name}: portable: false allows TTLs under 60 seconds, which Workers cannot keep; remove portable: false to run on Cloudflare Workers`,
    )
  }
  return workersBindingName(store.namespace, store.storeName)
}

/**
 * The stores of an app on Workers, each on its own binding; the package entry
 * registers this. An eventual store is a Workers KV namespace; a strong one
 * the namespace of a Durable Object class the bundle exports
 * (drivers/durable-objects), since Workers KV is eventually consistent.
 */
export const workersKV: WorkersDriver = {
  bindingOf(store): WorkersBinding {
    const binding = workersBindingOf(store)
    if (store.consistency === "eventual") return { type: "kv_namespace", binding }
    return { type: "durable_object_namespace", binding, className: durableObjectClassName(binding) }
  },
  async open(env, store) {
    if (store.consistency === "strong") {
      const open = strongWorkersDriver()
      if (open === undefined) {
        throw new KVError(
          "KV_CONFIG_INVALID",
          `${store.name}: a strong store on Workers runs on a Durable Object class the Worker exports, and this Worker has none; build it with layeron build --target cloudflare (or export durableKVObject(DurableObject) from @layeron/modules/drivers/durable-objects)`,
        )
      }
      return open(env, store, workersBindingOf(store))
    }
    // Loaded only on Workers, so that the driver adds nothing elsewhere.
    const { driverFromEnv } = await import("./driver.js")
    return driverFromEnv(env, store)
  },
}
