// The most a Layeron-owned Node.js adapter could save over @hono/node-server:
// the docs' example behind the least an adapter can do. Its Request has only
// what this route touches (method, url, headers.get/has), built without a
// URL object; its writer sends the string body of the lightweight Response
// (the one @hono/node-server installs, which the app's Response.json makes)
// with one writeHead and one end. No abort signal, no close handler, no body
// reading, no fallback for stream bodies: a bound to measure, not a server to
// ship. Anything else the app touches throws.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { getRequestListener } from "@hono/node-server"
import { announce, exitOnSigterm, sessionApp } from "./session-app.ts"

// Installs the lightweight Request/Response globals, as app.listen() does; the listener itself is not used.
getRequestListener(() => new Response(null))
const cacheKey = Object.getOwnPropertySymbols(new Response("x")).find((symbol) => symbol.description === "cache")
if (cacheKey === undefined) throw new Error("@hono/node-server's Response has no body cache")

const FETCH_PARSED = Symbol.for("layeron.fetchParsed")
const { app, token } = await sessionApp()
await app.start()
type FetchParsed = (request: Request, env: unknown, ctx: unknown) => Promise<Response>
const fetchParsed = ((app as unknown as Record<symbol, FetchParsed>)[FETCH_PARSED] as FetchParsed).bind(app)
const executionContext = { waitUntil() {} }

const plainPath = /^\/[!#$&-;=?-[\]_a-z~]*$/
const plainHost = /^[a-z0-9._-]+(?::\d{1,5})?$/

class LazyHeaders {
  constructor(private readonly incoming: IncomingMessage) {}
  get(name: string): string | null {
    const value = this.incoming.headers[name.toLowerCase()]
    if (value === undefined) return null
    return Array.isArray(value) ? value.join(", ") : value
  }
  has(name: string): boolean {
    return this.incoming.headers[name.toLowerCase()] !== undefined
  }
}

interface Fields {
  incoming: IncomingMessage
  lazyMethod: string
  lazyUrl: string
  lazyHeaders?: LazyHeaders
}
const requestPrototype = Object.create(Request.prototype, {
  method: {
    get(this: Fields) {
      return this.lazyMethod
    },
  },
  url: {
    get(this: Fields) {
      return this.lazyUrl
    },
  },
  headers: {
    get(this: Fields) {
      this.lazyHeaders ??= new LazyHeaders(this.incoming)
      return this.lazyHeaders
    },
  },
})

function lazyRequest(incoming: IncomingMessage): Request {
  const path = incoming.url ?? "/"
  const host = incoming.headers.host ?? ""
  if (!plainPath.test(path) || !plainHost.test(host)) throw new Error("not a plain request: outside the bound")
  const request = Object.create(requestPrototype) as Fields
  request.incoming = incoming
  request.lazyMethod = incoming.method ?? "GET"
  request.lazyUrl = `http://${host}${path}`
  return request as unknown as Request
}

function write(response: Response, outgoing: ServerResponse): void {
  const cache = (response as unknown as Record<symbol, [number, unknown, unknown]>)[cacheKey as symbol]
  if (cache === undefined || typeof cache[1] !== "string") throw new Error("not a string body: outside the bound")
  const [status, body, headers] = cache as [number, string, Record<string, string> | undefined]
  outgoing.writeHead(status, {
    "content-type": "text/plain; charset=UTF-8",
    ...headers,
    "content-length": Buffer.byteLength(body),
  })
  outgoing.end(body)
}

// BENCH_ADAPTER_DUTIES=1 adds what a shipped adapter must still do per request: a close handler
// that would abort the request's signal, a catch that turns a failure into a 500, and the checks
// that pick the direct write over a streamed one.
const duties = process.env.BENCH_ADAPTER_DUTIES === "1"
const server = createServer(
  duties
    ? (incoming, outgoing) => {
        const request = lazyRequest(incoming) as unknown as Fields & { aborted?: boolean }
        outgoing.once("close", () => {
          if (!outgoing.writableFinished) request.aborted = true
        })
        fetchParsed(request as unknown as Request, process.env, executionContext).then(
          (response) => {
            const cache = (response as unknown as Record<symbol, unknown[] | undefined>)[cacheKey as symbol]
            const headers = cache?.[2]
            if (cache === undefined || !(headers === undefined || Object.getPrototypeOf(headers) === Object.prototype))
              throw new Error("would stream: outside the bound")
            write(response, outgoing)
          },
          () => {
            outgoing.writeHead(500, { "content-length": 0 })
            outgoing.end()
          },
        )
      }
    : (incoming, outgoing) => {
        fetchParsed(lazyRequest(incoming), process.env, executionContext).then((response) => write(response, outgoing))
      },
)
server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port, token))
exitOnSigterm()
