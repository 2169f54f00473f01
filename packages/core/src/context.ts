/** The values middleware passes on to the handler with `ctx.set()`, by name. */
export type Variables = Record<string, unknown>

/** What a handler gets beside the request. */
export interface Context<Params = Record<string, string>, Env = Record<string, unknown>, V = Variables> {
  /** Path parameters, decoded: `/users/:id` gives `params.id`. */
  readonly params: Params
  /** The request URL, parsed on first use. */
  readonly url: URL
  /** Bindings on Workers; `process.env` on Node.js. */
  readonly env: Env
  /** Keeps work going after the response is sent; the Node.js server awaits it before shutdown. */
  waitUntil(promise: Promise<unknown>): void
  /**
   * Keeps a value for the rest of this request: what a middleware sets, the handler reads.
   * @example ctx.set("user", user); return next()
   */
  set<Name extends keyof V & string>(name: Name, value: V[Name]): void
  /**
   * A value set earlier in this request; throws if nothing was set under that name
   * (the middleware that sets it did not run for this path).
   * @example const user = ctx.get("user")
   */
  get<Name extends keyof V & string>(name: Name): V[Name]
}

/** The part of Workers' ExecutionContext that Layeron uses. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException?(): void
}

export class RequestContext<Params, Env> implements Context<Params, Env> {
  private parsedUrl: URL | undefined
  // Created by the first set(): a request without middleware never pays for it.
  private variables: Map<string, unknown> | undefined

  constructor(
    private readonly request: Request,
    readonly params: Params,
    readonly env: Env,
    private readonly execution: ExecutionContextLike | undefined,
  ) {}

  get url(): URL {
    this.parsedUrl ??= new URL(this.request.url)
    return this.parsedUrl
  }

  waitUntil(promise: Promise<unknown>): void {
    if (this.execution) this.execution.waitUntil(promise)
    else promise.catch(() => {})
  }

  set(name: string, value: unknown): void {
    this.variables ??= new Map()
    this.variables.set(name, value)
  }

  get(name: string): never {
    if (this.variables === undefined || !this.variables.has(name)) {
      throw new Error(
        `ctx.get(${JSON.stringify(name)}): nothing was set under that name on this request; ` +
          "the middleware that sets it must be declared for this path",
      )
    }
    return this.variables.get(name) as never
  }
}
