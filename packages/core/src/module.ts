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
}
