// Every way a handler can read a request body, and an app that reads with
// each one on routes of every kind, for the tests that prove each way is
// limited: the Body readers, the stream, a clone and each reader of the clone.
import type { Backend } from "@layeron/core"

type BodyReader = (request: Request) => Promise<unknown>

const DIRECT: Record<string, BodyReader> = {
  text: (request) => request.text(),
  json: (request) => request.json(),
  arrayBuffer: (request) => request.arrayBuffer(),
  // Request.bytes() is newer than the Node.js 20 types.
  bytes: (request) => (request as Request & { bytes(): Promise<Uint8Array> }).bytes(),
  blob: (request) => request.blob(),
  formData: (request) => request.formData(),
  stream: (request) => readStream(request.body),
}

export const BODY_READERS: Record<string, BodyReader> = {
  ...DIRECT,
  ...Object.fromEntries(
    Object.entries(DIRECT).map(([name, read]) => [`clone-${name}`, (request: Request) => read(request.clone())]),
  ),
  "clone-of-clone-text": (request) => request.clone().clone().text(),
  "text-after-clone": (request) => {
    request.clone()
    return request.text()
  },
}

/** The readers that parse JSON, so a malformed body is a 400 for them. */
export const JSON_READERS = ["json", "clone-json"]
/** The readers that parse form data. */
export const FORM_READERS = ["formData", "clone-formData"]

/** The methods that get a route of their own; any other method reaches the `app.all()` route. */
export const ROUTED_METHODS = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const

/** `/<method>/:reader` for each routed method and `/all/:reader` for every method; each answers what it read. */
export function addBodyReaderRoutes(app: Backend): void {
  const handler = async (request: Request, ctx: { params: { reader: string } }) => {
    const read = BODY_READERS[ctx.params.reader]
    if (read === undefined) return Response.json({ error: "no such reader" }, { status: 404 })
    const usedBefore = request.bodyUsed
    const value = await read(request)
    return Response.json({ size: sizeOf(value), usedBefore, usedAfter: request.bodyUsed })
  }
  app.post("/post/:reader", handler)
  app.put("/put/:reader", handler)
  app.patch("/patch/:reader", handler)
  app.delete("/delete/:reader", handler)
  app.options("/options/:reader", handler)
  app.all("/all/:reader", handler)
}

/** The route that serves `method` for `reader`. */
export function readerPath(method: string, reader: string): string {
  const own = (ROUTED_METHODS as readonly string[]).includes(method)
  return `/${own ? method.toLowerCase() : "all"}/${reader}`
}

// Web APIs only (no Buffer): the Workers test runs these readers in workerd.
async function readStream(body: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  const reader = body.getReader()
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) chunks.push(chunk.value)
  return new Uint8Array(await new Blob(chunks).arrayBuffer())
}

/** Bytes for bodies, entries for form data, characters of JSON for a parsed value. */
function sizeOf(value: unknown): number {
  if (typeof value === "string") return new TextEncoder().encode(value).byteLength
  if (value instanceof ArrayBuffer || value instanceof Uint8Array) return value.byteLength
  if (value instanceof Blob) return value.size
  if (value instanceof FormData) return [...value.keys()].length
  return JSON.stringify(value).length
}
