/** What a module learns when the app starts it. */
export interface ModuleContext {
  /** Bindings on Workers; `process.env` on Node.js. */
  readonly env: Readonly<Record<string, unknown>>
  /** Where the app runs: modules pick their backend from it. */
  readonly runtime: "node" | "workers" | "other"
}

/**
 * A piece of infrastructure an app declares with `app.use()`: a KV store, a
 * queue, ... The app starts every module before it serves, and closes them
 * after the last in-flight request on shutdown.
 */
export interface LayeronModule {
  readonly name: string
  start?(context: ModuleContext): void | Promise<void>
  close?(): void | Promise<void>
  /** What the module needs bound on Cloudflare Workers (`layeron build` declares it); throws if it cannot run there. */
  workersBindings?(): readonly WorkersBinding[]
}

/**
 * A binding a module reads from `env` on Workers: a KV namespace, or the
 * namespace of a Durable Object class that the Worker bundle exports.
 */
export type WorkersBinding =
  | {
      readonly type: "kv_namespace"
      /** The name in `env` and in wrangler.jsonc, e.g. AUTH_USER_SESSIONS. */
      readonly binding: string
    }
  | {
      readonly type: "durable_object_namespace"
      readonly binding: string
      /** The SQLite-backed Durable Object class the bundle exports for it, e.g. LayeronKV_AUTH_USER_SESSIONS. */
      readonly className: string
    }
