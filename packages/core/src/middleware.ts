import { RegExpRouter } from "hono/router/reg-exp-router"
import { SmartRouter } from "hono/router/smart-router"
import { TrieRouter } from "hono/router/trie-router"
import type { Context, Variables } from "./context.js"
import { notAResponse } from "./not-a-response.js"
import type { PathParams } from "./params.js"
import { readParams } from "./router.js"

/** Runs what comes after this middleware (the next middleware, then the route) and resolves to its Response. */
export type Next = () => Promise<Response>

/**
 * Runs before the route: answers by itself, or calls `next()` and returns (or
 * adjusts) the Response that comes back. `Path` types `ctx.params` from the pattern.
 * @example
 * app.use("/api/*", async (request, ctx, next) => {
 *   const response = await next()
 *   response.headers.set("cache-control", "no-store")
 *   return response
 * })
 */
export type Middleware<Path extends string = string, E = Record<string, unknown>, V = Variables> = {
  // Method syntax, so `ctx` is compared both ways: a module's middleware typed for the one value it sets
  // (`{ session: Session }`) fits an app that declares more values, or none.
  run(request: Request, ctx: Context<PathParams<Path>, E, V>, next: Next): Response | Promise<Response>
}["run"]

type AnyMiddleware = (request: Request, ctx: Context<Record<string, string>, unknown>, next: Next) => unknown

interface Declared {
  readonly pattern: string
  readonly middleware: AnyMiddleware
  /** Declaration order: Hono's router returns matches grouped by pattern kind, not in the order they were added. */
  readonly order: number
}

/** A middleware that applies to a request, with the parameters its own pattern captured. */
export interface Layer {
  readonly declared: Declared
  readonly params: Record<string, string>
}

/** The middleware an app declared, matched against a request path with the same patterns as routes. */
export class MiddlewareStack {
  private readonly matcher = new SmartRouter<Declared>({ routers: [new RegExpRouter(), new TrieRouter()] })
  private count = 0

  add(pattern: string, middleware: AnyMiddleware): void {
    if (typeof pattern !== "string" || !pattern.startsWith("/")) {
      throw new TypeError(`Middleware pattern must be a string starting with "/", got ${JSON.stringify(pattern)}`)
    }
    this.matcher.add("ALL", pattern, { pattern, middleware, order: this.count++ })
  }

  /** The middleware whose pattern matches `path`, in declaration order. */
  match(path: string): Layer[] {
    const [matches, stash] = this.matcher.match("ALL", path)
    const layers = matches.map(([declared, paramsOrIndexes]) => ({
      declared,
      params: readParams(paramsOrIndexes, stash),
    }))
    return layers.sort((a, b) => a.declared.order - b.declared.order)
  }
}

/**
 * Runs `layers` in order, then `endpoint` (the route, or the 404 or 405).
 * Each step's error becomes its error response through `recover` (onError,
 * the status contract, the log) before it returns to the middleware above, so
 * `next()` always resolves to what the client would get and a middleware can
 * add headers to an error response too.
 */
export function runLayers(
  layers: readonly Layer[],
  request: Request,
  context: Context<Record<string, string>, unknown>,
  endpoint: () => Promise<Response>,
  recover: (error: unknown) => Promise<Response>,
): Promise<Response> {
  const step = async (index: number): Promise<Response> => {
    const layer = layers[index]
    if (layer === undefined) return endpoint()
    let called = false
    const next: Next = () => {
      if (called) throw new Error(`next() was called twice by the middleware for ${layer.declared.pattern}`)
      called = true
      return step(index + 1)
    }
    try {
      const response = await layer.declared.middleware(request, new LayerContext(context, layer.params), next)
      if (!(response instanceof Response)) {
        throw notAResponse(
          `The middleware for ${layer.declared.pattern}`,
          response,
          " (return next() to pass the request on)",
        )
      }
      return response
    } catch (error) {
      return recover(error)
    }
  }
  return step(0)
}

/** The request's context as one middleware sees it: its own pattern's params, everything else shared. */
class LayerContext implements Context<Record<string, string>, unknown> {
  constructor(
    private readonly shared: Context<Record<string, string>, unknown>,
    readonly params: Record<string, string>,
  ) {}
  get url(): URL {
    return this.shared.url
  }
  get env(): unknown {
    return this.shared.env
  }
  waitUntil(promise: Promise<unknown>): void {
    this.shared.waitUntil(promise)
  }
  set(name: string, value: unknown): void {
    this.shared.set(name, value)
  }
  get(name: string): never {
    return this.shared.get(name) as never
  }
}
