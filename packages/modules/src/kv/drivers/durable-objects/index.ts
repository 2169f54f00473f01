/**
 * The durable-objects driver: what a `consistency: "strong"` store uses on
 * Cloudflare Workers. Its keys are hashed over a fixed number of instances
 * (shards.ts) of a SQLite-backed Durable Object class that the Worker bundle
 * exports (object.ts), so every read sees the last write from any location
 * and each atomic operation is one call to one object. Expiry is checked on
 * read and swept by the objects' alarms. It relies only on the bindings the
 * Workers runtime hands the app in `env`, and needs no @cloudflare/workers-types.
 * Importing it registers it for the strong stores of a Worker (the bundle
 * `layeron build` writes imports it for the classes it exports).
 */
import { registerStrongWorkersDriver } from "../../workers-driver.js"
import { driverFromEnv } from "./binding.js"

registerStrongWorkersDriver(driverFromEnv)

export {
  type DurableObjectNamespace,
  DurableObjectsDriver,
  type DurableObjectsDriverOptions,
  durableObjectsDriver,
} from "./driver.js"
export { durableKVObject, type ObjectState } from "./object.js"
export { DEFAULT_SHARDS, MAX_SHARDS } from "./shards.js"
