import { KVError } from "../../errors.js"
import type { WorkersDriver, WorkersStore } from "../../workers-driver.js"

/** A store's binding on Workers: namespace and name, uppercased, any other character "_" (auth/user-sessions: AUTH_USER_SESSIONS). */
export function workersBindingName(namespace: string, name: string): string {
  return `${namespace}_${name}`.toUpperCase().replace(/[^A-Z0-9]/g, "_")
}

/**
 * The binding a store reads on Workers. Checked by `layeron build` and when
 * the Worker starts: a store that lifts the 60 s TTL minimum cannot run
 * there, nor, until the Durable Objects driver lands, a strong one.
 */
export function workersBindingOf(store: WorkersStore): string {
  if (store.consistency === "strong") {
    throw new KVError(
      "KV_CONFIG_INVALID",
      `${store.name}: consistency: "strong" stores on Cloudflare Workers need the Durable Objects driver, which is not available yet (Workers KV is eventually consistent); declare the store eventual to run it on Workers KV`,
    )
  }
  if (!store.portable) {
    throw new KVError(
      "KV_CONFIG_INVALID",
      `${store.name}: portable: false allows TTLs under 60 seconds, which Workers KV cannot keep; remove portable: false to run on Cloudflare Workers`,
    )
  }
  return workersBindingName(store.namespace, store.storeName)
}

/** The stores of an app on Workers use this driver, each on its own binding; the package entry registers it. */
export const workersKV: WorkersDriver = {
  bindingOf: workersBindingOf,
  async open(env, store) {
    // Loaded only on Workers, so that the driver adds nothing elsewhere.
    const { driverFromEnv } = await import("./driver.js")
    return driverFromEnv(env, store)
  },
}
