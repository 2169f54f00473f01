import assert from "node:assert/strict"
import { request as httpRequest } from "node:http"
import { connect, createServer } from "node:net"
import { after, describe, it } from "node:test"
import { backend, ListenError, type NodeServer } from "@layeron/core"
import { addBodyReaderRoutes, BODY_READERS, readerPath } from "@layeron/test-support/body-readers"

const quietLogger = { info() {}, error() {} }
const servers: NodeServer[] = []
after(() => Promise.all(servers.map((server) => server.close())))

async function serve(app: ReturnType<typeof backend>): Promise<NodeServer> {
  const server = await app.listen({ port: 0, hostname: "127.0.0.1", handleSignals: false })
  servers.push(server)
  return server
}

/** A raw request, so the test controls framing (chunked bodies, no keep-alive pooling). */
function rawRequest(
  url: string,
  options: { method: string; headers?: Record<string, string>; chunks?: string[] },
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method, headers: options.headers }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        body += chunk
      })
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on("error", reject)
    for (const chunk of options.chunks ?? []) req.write(chunk)
    req.end()
  })
}

/** Sends `text` as is over a new connection; resolves to the status line's code (0 if none came within 2 s). */
function rawExchange(port: number, text: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    let received = ""
    const giveUp = setTimeout(() => socket.destroy(), 2000)
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1")
    })
    socket.on("error", () => {})
    socket.on("close", () => {
      clearTimeout(giveUp)
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0))
    })
    socket.write(text)
  })
}

/** Records the unhandled rejections seen while `run` runs, and a little after. */
async function unhandledRejectionsDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = []
  const record = (reason: unknown) => void seen.push(reason)
  process.on("unhandledRejection", record)
  try {
    await run()
    await new Promise((resolve) => setTimeout(resolve, 50))
  } finally {
    process.off("unhandledRejection", record)
  }
  return seen
}

const throwingLogger = {
  info() {
    throw new Error("logger down")
  },
  error() {
    throw new Error("logger down")
  },
}

describe("the Node.js server", () => {
  it("serves over a real socket: routes, 404, 405 and HEAD", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/hello/:name", (_request, ctx) => Response.json({ hello: ctx.params.name }))
    const server = await serve(app)
    const ok = await fetch(`${server.url}/hello/ada`)
    assert.equal(ok.status, 200)
    assert.deepEqual(await ok.json(), { hello: "ada" })
    assert.equal((await fetch(`${server.url}/nope`)).status, 404)
    const wrong = await fetch(`${server.url}/hello/ada`, { method: "DELETE" })
    assert.equal(wrong.status, 405)
    assert.equal(wrong.headers.get("allow"), "GET, HEAD")
    const head = await rawRequest(`${server.url}/hello/ada`, { method: "HEAD" })
    assert.equal(head.status, 200)
    assert.equal(head.body, "")
  })

  it("answers 400 for malformed JSON and 413 for oversized bodies, declared or chunked", async () => {
    const app = backend({ logger: quietLogger, bodyLimit: 64 })
    app.post("/echo", async (request) => Response.json(await request.json()))
    const server = await serve(app)
    const malformed = await rawRequest(`${server.url}/echo`, { method: "POST", chunks: ['{"email": '] })
    assert.equal(malformed.status, 400)
    assert.match(malformed.body, /not valid JSON/)
    const declared = await rawRequest(`${server.url}/echo`, {
      method: "POST",
      headers: { "content-length": "100" },
      chunks: ["x".repeat(100)],
    })
    assert.equal(declared.status, 413)
    const chunked = await rawRequest(`${server.url}/echo`, {
      method: "POST",
      headers: { "transfer-encoding": "chunked" },
      chunks: ['{"a":"', "y".repeat(40), "z".repeat(40), '"}'],
    })
    assert.equal(chunked.status, 413)
    const fine = await rawRequest(`${server.url}/echo`, { method: "POST", chunks: ['{"a":1}'] })
    assert.equal(fine.status, 200)
    assert.equal(fine.body, '{"a":1}')
  })

  it("never sends a stack trace: a failing handler gives a generic 500", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/fail", () => {
      throw new Error("secret detail")
    })
    const server = await serve(app)
    const response = await fetch(`${server.url}/fail`)
    assert.equal(response.status, 500)
    const body = await response.text()
    assert.doesNotMatch(body, /secret detail|node:|\.ts:/)
  })

  it("drains on close: in-flight requests finish, then modules close", async () => {
    const events: string[] = []
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let entered: () => void = () => {}
    const handlerEntered = new Promise<void>((resolve) => {
      entered = resolve
    })
    const app = backend({ logger: quietLogger })
    app.use({ name: "tracker", close: () => void events.push("module closed") })
    app.get("/slow", async () => {
      entered()
      await held
      events.push("response sent")
      return new Response("done")
    })
    const server = await app.listen({ port: 0, hostname: "127.0.0.1", handleSignals: false })
    const inFlight = fetch(`${server.url}/slow`)
    await handlerEntered
    const closed = server.close()
    await assert.rejects(fetch(`${server.url}/slow`), "new connections are refused while draining")
    release()
    const response = await inFlight
    assert.equal(response.status, 200)
    assert.equal(await response.text(), "done")
    await closed
    assert.deepEqual(events, ["response sent", "module closed"])
  })

  it("awaits waitUntil work before closing modules", async () => {
    const events: string[] = []
    const app = backend({ logger: quietLogger })
    app.use({ name: "tracker", close: () => void events.push("module closed") })
    app.post("/later", (_request, ctx) => {
      ctx.waitUntil(new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => void events.push("task done")))
      return new Response(null, { status: 202 })
    })
    const server = await app.listen({ port: 0, hostname: "127.0.0.1", handleSignals: false })
    assert.equal((await fetch(`${server.url}/later`, { method: "POST" })).status, 202)
    await server.close()
    assert.deepEqual(events, ["task done", "module closed"])
  })

  it("says in one line when the port is in use", async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const app = backend({ logger: quietLogger })
      await assert.rejects(app.listen({ port, hostname: "127.0.0.1", handleSignals: false }), (error: unknown) => {
        assert.ok(error instanceof ListenError)
        assert.equal(error.code, "EADDRINUSE")
        assert.match(error.message, new RegExp(`${port} is already in use`))
        return true
      })
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })

  it("limits every body reader for a chunked body, on every kind of route", async () => {
    const app = backend({ logger: quietLogger, bodyLimit: 64 })
    addBodyReaderRoutes(app)
    const server = await serve(app)
    for (const method of ["POST", "OPTIONS", "PROPFIND", "QUERY"]) {
      for (const reader of Object.keys(BODY_READERS)) {
        const over = await rawRequest(`${server.url}${readerPath(method, reader)}`, {
          method,
          headers: { "transfer-encoding": "chunked" },
          chunks: ["x".repeat(40), "y".repeat(40)],
        })
        assert.equal(over.status, 413, `${method} ${reader}: ${over.body}`)
      }
    }
  })

  it("answers 413 for a declared length over the limit and 400 for malformed JSON, on any method", async () => {
    const app = backend({ logger: quietLogger })
    addBodyReaderRoutes(app)
    const server = await serve(app)
    for (const method of ["OPTIONS", "PROPFIND", "QUERY", "DELETE"]) {
      const declared = await rawExchange(
        server.port,
        `${method} ${readerPath(method, "text")} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3000000\r\n\r\n`,
      )
      assert.equal(declared, 413, method)
      const malformed = await rawRequest(`${server.url}${readerPath(method, "json")}`, { method, chunks: ["{"] })
      assert.equal(malformed.status, 400, method)
    }
  })

  it("answers a request the adapter rejects even when the logger throws, and lives", async () => {
    const app = backend({ logger: throwingLogger })
    app.get("/", () => new Response("ok"))
    const server = await serve(app)
    const unhandled = await unhandledRejectionsDuring(async () => {
      for (const request of [
        "GET / HTTP/1.0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n",
        "GET /a\\b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      ]) {
        assert.equal(await rawExchange(server.port, request), 400, JSON.stringify(request))
      }
    })
    assert.deepEqual(unhandled, [])
    assert.equal((await fetch(server.url)).status, 200)
  })

  it("survives a failed waitUntil task when the logger throws", async () => {
    const app = backend({ logger: throwingLogger })
    app.post("/later", (_request, ctx) => {
      ctx.waitUntil(Promise.reject(new Error("task failed")))
      return new Response(null, { status: 202 })
    })
    const server = await serve(app)
    const unhandled = await unhandledRejectionsDuring(async () => {
      assert.equal((await fetch(`${server.url}/later`, { method: "POST" })).status, 202)
    })
    assert.deepEqual(unhandled, [])
  })

  it("answers the generic 500, not a 400, for a thrown value whose status getter throws", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/hostile", () => {
      throw Object.defineProperty(new Error("x"), "status", {
        get() {
          throw new Error("status getter")
        },
      })
    })
    const server = await serve(app)
    const response = await fetch(`${server.url}/hostile`)
    assert.equal(response.status, 500)
    assert.deepEqual(await response.json(), { error: "Internal Server Error" })
  })
})
