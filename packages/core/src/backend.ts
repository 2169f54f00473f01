import type { Context, ExecutionContextLike } from "./context.js"
import { RequestContext } from "./context.js"
import { responseForError } from "./error-handling.js"
import { errorResponse } from "./http-error.js"
import type { Logger } from "./logger.js"
import { consoleLogger, neverThrowing } from "./logger.js"
import type { LayeronModule } from "./module.js"
import type { ListenOptions, NodeServer } from "./node-server/index.js"
import type { PathParams } from "./params.js"
import { BACKEND_BRAND, registerBackend } from "./registry.js"
import { type BodyFraming, limitBody } from "./request-body.js"
import { Router } from "./router.js"
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

export type Handler<Path extends string = string, E = Env> = (
  request: Request,
  ctx: Context<PathParams<Path>, E>,
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

/** A Layeron app: routes, the modules it declared, and a Web-standard `fetch`. */
export class Backend<E = Env> {
  readonly [BACKEND_BRAND] = true
  readonly bodyLimit: number
  readonly logger: Logger
  private readonly onError: BackendOptions["onError"]
  private readonly router = new Router<Route>()
  private readonly declared: LayeronModule[] = []
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
   * Declares a module (a KV store, ...): the app starts it before the first
   * request and closes it on shutdown, and `layeron build` reads the Workers
   * bindings it needs. Declare every module before serving.
   *
   * @example
   * const sessions = storage.kv({ name: "user-sessions", ttlSeconds: 86400 })
   * app.use(sessions)
   */
  use(module: LayeronModule): this {
    if (typeof module !== "object" || module === null || typeof module.name !== "string") {
      throw new TypeError("app.use() takes a module: an object with a name, such as storage.kv({ ... })")
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
  get<Path extends string>(path: Path, handler: Handler<Path, E>): this {
    return this.on("GET", path, handler)
  }
  /**
   * Routes POST requests for `path`: see `get()`.
   *
   * @example
   * app.post("/login", async (request) => Response.json({ token: await login(await request.json()) }))
   */
  post<Path extends string>(path: Path, handler: Handler<Path, E>): this {
    return this.on("POST", path, handler)
  }
  /**
   * Routes PUT requests for `path`: see `get()`.
   *
   * @example
   * app.put("/users/:id", async (request, ctx) => Response.json(await saveUser(ctx.params.id, await request.json())))
   */
  put<Path extends string>(path: Path, handler: Handler<Path, E>): this {
    return this.on("PUT", path, handler)
  }
  /**
   * Routes PATCH requests for `path`: see `get()`.
   *
   * @example
   * app.patch("/users/:id", async (request, ctx) => Response.json(await updateUser(ctx.params.id, await request.json())))
   */
  patch<Path extends string>(path: Path, handler: Handler<Path, E>): this {
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
  delete<Path extends string>(path: Path, handler: Handler<Path, E>): this {
    return this.on("DELETE", path, handler)
  }
  /**
   * Routes OPTIONS requests for `path`: see `get()`.
   *
   * @example
   * app.options("/*", () => new Response(null, { status: 204, headers: { Allow: "GET, POST" } }))
   */
  options<Path extends string>(path: Path, handler: Handler<Path, E>): this {
    return this.on("OPTIONS", path, handler)
  }
  /**
   * A route for every method: see `get()`.
   *
   * @example
   * app.all("/legacy/*", () => new Response("Gone", { status: 410 }))
   */
  all<Path extends string>(path: Path, handler: Handler<Path, E>): this {
    return this.on("ALL", path, handler)
  }

  private on<Path extends string>(method: string, path: Path, handler: Handler<Path, E>): this {
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
      const found = this.router.match(method, pathOf(request.url))
      if (found.kind === "not-found") return errorResponse(404)
      if (found.kind === "method-not-allowed") {
        return errorResponse(405, undefined, { allow: found.allow })
      }
      const route = found.handler
      const limited = route.takesBody ? limitBody(request, this.bodyLimit, framing) : request
      const context = new RequestContext(limited, found.params, env ?? defaultEnv(), executionCtx)
      const response = await route.handler(limited, context)
      if (!(response instanceof Response)) {
        throw new TypeError(
          `The handler for ${method} ${pathOf(request.url)} returned ${describe(response)}, not a Response`,
        )
      }
      return method === "HEAD" ? withoutBody(response) : response
    } catch (error) {
      return this.handleError(error, request)
    }
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

function describe(value: unknown): string {
  if (value === null) return "null"
  if (value === undefined) return "undefined"
  return typeof value === "object" ? (value.constructor?.name ?? "an object") : typeof value
}

/**
 * Creates a Layeron app: routes, modules, and a Web-standard `fetch` that
 * runs on Node.js (`listen()`, or `layeron start`), Cloudflare Workers
 * (`export default app`), Bun and Deno.
 *
 * @example
 * import { backend } from "@layeron/core"
 *
 * const app = backend({ bodyLimit: 64 * 1024 })
 * app.get("/hello/:name", (request, ctx) => Response.json({ hello: ctx.params.name }))
 * export default app
 */
export function backend<E = Env>(options?: BackendOptions): Backend<E> {
  const app = new Backend<E>(options)
  registerBackend(app)
  return app
}
