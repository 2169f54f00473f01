/**
 * The cloudflare driver: one Workers KV namespace per store, what a store
 * declared with `app.use()` uses on Cloudflare Workers, bound under a name
 * made from the store's (binding.ts). The content type and the exact expiry
 * ride in KV's metadata (metadata.ts). It relies only on the KV binding the
 * Workers runtime hands the app in `env`, and needs no @cloudflare/workers-types.
 */
export { type CloudflareDriverOptions, CloudflareKVDriver, cloudflareDriver, type KVNamespace } from "./driver.js"
