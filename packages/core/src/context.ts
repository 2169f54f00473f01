/** What a handler gets beside the request. */
export interface Context<Params = Record<string, string>, Env = Record<string, unknown>> {
  /** Path parameters, decoded: `/users/:id` gives `params.id`. */
  readonly params: Params
  /** The request URL, parsed on first use. */
  readonly url: URL
  /** Bindings on Workers; `process.env` on Node.js. */
  readonly env: Env
  /** Keeps work going after the response is sent; the Node.js server awaits it before shutdown. */
  waitUntil(promise: Promise<unknown>): void
}

/** The part of Workers' ExecutionContext that Layeron uses. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException?(): void
}

export class RequestContext<Params, Env> implements Context<Params, Env> {
  private parsedUrl: URL | undefined

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
}
