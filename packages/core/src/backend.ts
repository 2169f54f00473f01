import type { Context, ExecutionContextLike, Variables } from "./context.js"
import { RequestContext } from "./context.js"
import { responseForError } from "./error-handling.js"
import { errorResponse } from "./http-error.js"
import type { Logger } from "./logger.js"
import { consoleLogger, neverThrowing } from "./logger.js"
import { type Layer, type Middleware, MiddlewareStack, runLayers } from "./middleware.js"
import type { LayeronModule } from "./module.js"
import type { ListenOptions, NodeServer } from "./node-server/index.js"
import { notAResponse } from "./not-a-response.js"
import type { PathParams } from "./params.js"
import { BACKEND_BRAND, registerBackend } from "./registry.js"
import { type BodyFraming, limitBody } from "./request-body.js"
import { type RouteMatch, Router } from "./router.js"
import { defaultEnv, detectRuntime } from "./runtime.js"
import { pathOf } from "./url-path.js"

export const DEFAULT_BODY_LIMIT = 1024 * 1024

export interface BackendOptions {
  /** The largest request body a handler may read, in bytes (default 1 MiB); larger gives 413. */
  bodyLimit?: number
  /** Turns an error a handler threw into a response; return nothing to fall back to Layeron's. */
  onError?: (error: unknown, request: Request) => Response | undefined | Promise<Response | undefined>
  /** Where errors are logged (default: the console). Whatever it throws is ignored. */
  logger?: Logger
}

export type Env = Record<string, unknown>

export type Handler<Path extends string = string, E = Env, V = Variables> = (
  request: Request,
  ctx: Context<PathParams<Path>, E, V>,
) => Response | Promise<Response>

type AnyHandler = (request: Request, ctx: Context<Record<string, string>, unknown>) => Response | Promise<Response>

/** A handler, and whether its requests can carry a body: a GET route's (GET and HEAD) never do, so skip the limit. */
interface Route {
  readonly handler: AnyHandler
  readonly takesBody: boolean
}

/**
 * The Node.js server's entry: its HTTP parser framed the request, so the headers say whether a body follows.
 * Global, as the registry's brand is: an entry compiled to CommonJS loads a second copy of this module.
 */
export const FETCH_PARSED = Symbol.for("layeron.fetchParsed")

const runtime = detectRuntime()

/**
 * A Layeron app: routes, middleware, the modules it declared, and a Web-standard `fetch`.
 * `E` types `ctx.env`; `V` types what middleware passes on with `ctx.set()` / `ctx.get()`.
 */
export class Backend<E = Env, V = Variables> {
  readonly [BACKEND_BRAND] = true
  readonly bodyLimit: number
  readonly logger: Logger
  private readonly onError: BackendOptions["onError"]
  private readonly router = new Router<Route>()
  private readonly declared: LayeronModule[] = []
  // Created by the first middleware: an app without any keeps the plain path.
  private middleware: MiddlewareStack | undefined
  private starting: Promise<void> | undefined
  private started = false

  constructor(options: BackendOptions = {}) {
    const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT
    if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 0) {
      throw new RangeError(`bodyLimit must be a whole number of bytes, got ${String(options.bodyLimit)}`)
    }
    this.bodyLimit = bodyLimit
    this.logger = neverThrowing(options.logger ?? consoleLogger)
    this.onError = options.onError
  }

  /** The modules declared with `use()`, in order. */
  get modules(): readonly LayeronModule[] {
    return this.declared
  }

  /**
   * Declares a module (an object with a name, such as `storage.kv({ ... })`), or
   * a middleware (a function) for every path or for the paths a pattern matches.
   * Every middleware whose pattern matches the request path runs, in declaration
   * order, before the route, wherever the route was declared, and also when no
   * route matches (before the 404 or 405).
   * @example
   * app.use(sessions)
   * app.use("/api/*", async (request, ctx, next) => {
   *   if (!request.headers.has("authorization")) return Response.json({ error: "Unauthorized" }, { status: 401 })
   *   return next()
   * })
   */
  use(module: NotAFunction<LayeronModule>): this
  use(middleware: Middleware<string, E, V>): this
  use<Pattern extends string>(pattern: Pattern, middleware: Middleware<Pattern, E, V>): this
  use(first: unknown, second?: unknown): this {
    if (typeof first === "string" || typeof first === "function") {
      const [pattern, middleware] = typeof first === "string" ? [first, second] : ["/*", first]
      if (typeof middleware !== "function") {
        throw new TypeError(`app.use(${JSON.stringify(pattern)}, middleware) takes a middleware function second`)
      }
      this.middleware ??= new MiddlewareStack()
      this.middleware.add(pattern, middleware as Parameters<MiddlewareStack["add"]>[1])
      return this
    }
    return this.declare(first)
  }

  private declare(module: unknown): this {
    if (!isModule(module)) {
      throw new TypeError(
        "app.use() takes a module (an object with a name, such as storage.kv({ ... })), " +
          "a middleware function, or a pattern and a middleware function",
      )
    }
    if (this.starting !== undefined) {
      throw new Error(`app.use(${module.name}) came after the app started; declare modules before serving`)
    }
    this.declared.push(module)
    return this
  }

  /**
   * Routes GET (and HEAD) requests for `path` to `handler`. Paths hold static
   * segments, `:name` parameters (typed on `ctx.params`) and a trailing `*`;
   * `post`, `put`, `patch`, `delete`, `options` and `all` take the same arguments.
   *
   * @example
   * app.get("/users/:id", (request, ctx) => Response.json({ id: ctx.params.id }))
   * app.post("/users", async (request) => {
   *   const body = (await request.json()) as { name?: unknown } // malformed JSON is a 400
   *   if (typeof body.name !== "string") throw new HttpError(400, "name must be a string")
   *   return Response.json({ created: body.name }, { status: 201 })
   * })
   */
  get<Path extends string>(path: Path, handler: Handler<Path, E, V>): this {
    return this.on("GET", path, handler)
  }
  /**
   * Routes POST requests for `path`: see `get()`.
   *
   * @example
   * app.post("/login", async (request) => Response.json({ token: await login(await request.json()) }))
   */
  post<Path extends string>(path: Path, handler: Handler<Path, E, V>): this {
    return this.on("POST", path, handler)
  }
  /**
   * Routes PUT requests for `path`: see `get()`.
   *
   * @example
   * app.put("/users/:id", async (request, ctx) => Response.json(await saveUser(ctx.params.id, await request.json())))
   */
  put<Path extends string>(path: Path, handler: Handler<Path, E, V>): this {
    return this.on("PUT", path, handler)
  }
  /**
   * Routes PATCH requests for `path`: see `get()`.
   *
   * @example
   * app.patch("/users/:id", async (request, ctx) => Response.json(await updateUser(ctx.params.id, await request.json())))
   */
  patch<Path extends string>(path: Path, handler: Handler<Path, E, V>): this {
    return this.on("PATCH", path, handler)
  }
  /**
   * Routes DELETE requests for `path`: see `get()`.
   *
   * @example
   * app.delete("/sessions/:token", async (request, ctx) => {
   *   await sessions.delete(ctx.params.token)
   *   return new Response(null, { status: 204 })
   * })
   */
  delete<Path extends string>(path: Path, handler: Handler<Path, E, V>): this {
    return this.on("DELETE", path, handler)
  }
  /**
   * Routes OPTIONS requests for `path`: see `get()`.
   *
   * @example
   * app.options("/*", () => new Response(null, { status: 204, headers: { Allow: "GET, POST" } }))
   */
  options<Path extends string>(path: Path, handler: Handler<Path, E, V>): this {
    return this.on("OPTIONS", path, handler)
  }
  /**
   * A route for every method: see `get()`.
   *
   * @example
   * app.all("/legacy/*", () => new Response("Gone", { status: 410 }))
   */
  all<Path extends string>(path: Path, handler: Handler<Path, E, V>): this {
    return this.on("ALL", path, handler)
  }

  private on<Path extends string>(method: string, path: Path, handler: Handler<Path, E, V>): this {
    if (typeof handler !== "function") {
      throw new TypeError(`The handler for ${method} ${path} must be a function`)
    }
    this.router.add(method, path, { handler: handler as unknown as AnyHandler, takesBody: method !== "GET" })
    return this
  }

  /** Starts every declared module once; `fetch` and `listen` call it for you. */
  start(env: Readonly<Record<string, unknown>> = defaultEnv()): Promise<void> {
    // A failed start (a backend not reachable yet) is tried again by the next request.
    this.starting ??= this.startModules(env).catch((error: unknown) => {
      this.starting = undefined
      throw error
    })
    return this.starting
  }

  private async startModules(env: Readonly<Record<string, unknown>>): Promise<void> {
    for (const module of this.declared) await module.start?.({ env, runtime })
    this.started = true
  }

  /** Closes every module, last declared first. */
  async close(): Promise<void> {
    const failures: unknown[] = []
    for (const module of [...this.declared].reverse()) {
      try {
        await module.close?.()
      } catch (error) {
        failures.push(error)
      }
    }
    this.starting = undefined
    this.started = false
    if (failures.length > 0) throw new AggregateError(failures, "Some modules failed to close")
  }

  /** For `listen()`: Node.js's parser has framed the body, so Layeron counts it only when no length was declared. */
  [FETCH_PARSED](request: Request, env: unknown, executionCtx: ExecutionContextLike): Promise<Response> {
    return this.respond(request, env, executionCtx, "headers")
  }

  /** The Web-standard entry: Workers, Bun, Deno and tests call it. It always resolves to a Response. */
  readonly fetch = (request: Request, env?: unknown, executionCtx?: ExecutionContextLike): Promise<Response> =>
    this.respond(request, env, executionCtx, "unknown")

  private async respond(
    request: Request,
    env: unknown,
    executionCtx: ExecutionContextLike | undefined,
    framing: BodyFraming,
  ): Promise<Response> {
    try {
      if (!this.started) await this.start((env as Record<string, unknown> | undefined) ?? defaultEnv())
      const method = request.method
      const path = pathOf(request.url)
      const found = this.router.match(method, path)
      const layers = this.middleware?.match(path)
      if (layers !== undefined && layers.length > 0) {
        return await this.respondThrough(layers, found, path, request, env, executionCtx, framing)
      }
      if (found.kind === "not-found") return errorResponse(404)
      if (found.kind === "method-not-allowed") {
        return errorResponse(405, undefined, { allow: found.allow })
      }
      const route = found.handler
      const limited = route.takesBody ? limitBody(request, this.bodyLimit, framing) : request
      const context = new RequestContext(limited, found.params, env ?? defaultEnv(), executionCtx)
      const response = await route.handler(limited, context)
      if (!(response instanceof Response)) throw notAResponse(`The handler for ${method} ${path}`, response)
      return method === "HEAD" ? withoutBody(response) : response
    } catch (error) {
      return this.handleError(error, request)
    }
  }

  /** `respond` for a request that middleware applies to: the layers, then the route, the 404 or the 405. */
  private async respondThrough(
    layers: readonly Layer[],
    found: RouteMatch<Route>,
    path: string,
    request: Request,
    env: unknown,
    executionCtx: ExecutionContextLike | undefined,
    framing: BodyFraming,
  ): Promise<Response> {
    const method = request.method
    const route = found.kind === "found" ? found.handler : undefined
    // Middleware may read the body whatever the route, so it gets the limited request; a GET route's never has one.
    const limited = route?.takesBody === false ? request : limitBody(request, this.bodyLimit, framing)
    const params = found.kind === "found" ? found.params : {}
    const context = new RequestContext(limited, params, env ?? defaultEnv(), executionCtx)
    const endpoint = async (): Promise<Response> => {
      try {
        if (found.kind === "not-found") return errorResponse(404)
        if (found.kind === "method-not-allowed") return errorResponse(405, undefined, { allow: found.allow })
        const response = await found.handler.handler(limited, context)
        if (!(response instanceof Response)) throw notAResponse(`The handler for ${method} ${path}`, response)
        return response
      } catch (error) {
        return this.handleError(error, request)
      }
    }
    const recover = (error: unknown) => this.handleError(error, request)
    const response = await runLayers(layers, limited, context, endpoint, recover)
    return method === "HEAD" ? withoutBody(response) : response
  }

  private async handleError(error: unknown, request: Request): Promise<Response> {
    if (this.onError) {
      try {
        const custom = await this.onError(error, request)
        if (custom instanceof Response) return custom
      } catch (hookError) {
        this.logger.error("onError failed", hookError)
      }
    }
    return responseForError(error, request, this.logger)
  }

  /** Serves the app on Node.js; resolves once listening, to a server whose `close()` drains. */
  async listen(options: ListenOptions = {}): Promise<NodeServer> {
    // A Worker bundle resolves this to a stand-in (see "imports" in package.json).
    const { serveNode } = await import("#node-server")
    return serveNode(this, options)
  }
}

function withoutBody(response: Response): Response {
  if (response.body === null) return response
  return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers })
}

/**
 * A function has a `name` too, so it would type as a module: this keeps
 * functions to the middleware overloads, where a wrong signature is an error.
 */
type NotAFunction<T> = T & { readonly [Symbol.hasInstance]?: never }

/** An object with a name; a function has a name too, but a function is a middleware. */
function isModule(value: unknown): value is LayeronModule {
  return typeof value === "object" && value !== null && typeof (value as { name?: unknown }).name === "string"
}

/**
 * Creates a Layeron app: routes, modules, and a Web-standard `fetch` that
 * runs on Node.js (`listen()`, or `layeron start`), Cloudflare Workers
 * (`export default app`), Bun and Deno. `E` types `ctx.env`; `V` types the
 * values middleware passes on with `ctx.set`.
 *
 * @example
 * import { backend } from "@layeron/core"
 *
 * const app = backend({ bodyLimit: 64 * 1024 })
 * app.get("/hello/:name", (request, ctx) => Response.json({ hello: ctx.params.name }))
 * export default app
 */
export function backend<E = Env, V = Variables>(options?: BackendOptions): Backend<E, V> {
  const app = new Backend<E, V>(options)
  registerBackend(app)
  return app
}
