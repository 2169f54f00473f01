import { KVError } from "../../errors.js"
import type { WorkersStore } from "../../workers-driver.js"
import { durableObjectClassName } from "./class-name.js"
import { type DurableObjectsDriver, durableObjectsDriver, isDurableObjectNamespace } from "./driver.js"

/** The driver of a strong store on Workers: the Durable Object namespace bound under the store's name. */
export function driverFromEnv(
  env: Readonly<Record<string, unknown>>,
  store: WorkersStore,
  binding: string,
): DurableObjectsDriver {
  const namespace = env[binding]
  if (!isDurableObjectNamespace(namespace)) {
    throw new KVError(
      "KV_CONFIG_INVALID",
      `${store.name}: no Durable Object namespace is bound to env.${binding}; add { "name": "${binding}", "class_name": "${durableObjectClassName(binding)}" } to "durable_objects.bindings" in wrangler.jsonc, with a migration that lists the class in "new_sqlite_classes" (layeron build --target cloudflare writes both)`,
    )
  }
  return durableObjectsDriver(namespace, {
    label: store.name,
    ...(store.shards === undefined ? {} : { shards: store.shards }),
  })
}
