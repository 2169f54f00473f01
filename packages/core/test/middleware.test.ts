import assert from "node:assert/strict"
import { request as httpRequest } from "node:http"
import { after, describe, it } from "node:test"
import { backend, HttpError, type Middleware, type NodeServer } from "@layeron/core"

function recordingLogger() {
  const errors: { message: string; error: unknown }[] = []
  return { errors, logger: { info() {}, error: (message: string, error?: unknown) => errors.push({ message, error }) } }
}

const quietLogger = { info() {}, error() {} }
const at = (path: string, init?: RequestInit) => new Request(`http://localhost${path}`, init)
const unauthorized = () => Response.json({ error: "Unauthorized" }, { status: 401 })

/** A stream body without a declared length, so the limit must count it as it is read. */
function streamOf(text: string): RequestInit {
  const bytes = new TextEncoder().encode(text)
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes)
      controller.close()
    },
  })
  return { method: "POST", body, duplex: "half" } as RequestInit
}

describe("middleware", () => {
  it("runs before the route, in declaration order, whatever order patterns and routes were declared in", async () => {
    const seen: string[] = []
    const mark =
      (name: string): Middleware =>
      (_request, _ctx, next) => {
        seen.push(name)
        return next()
      }
    const app = backend()
    app.get("/api/users/:id", () => {
      seen.push("handler")
      return new Response("ok")
    })
    app.use("/api/users/:id", mark("first, by id"))
    app.use(mark("second, everywhere"))
    app.use("/api/*", mark("third, under /api"))
    app.use("/other/*", mark("never"))
    app.use("/api/users/:id", mark("fourth, by id again"))
    const response = await app.fetch(at("/api/users/7"))
    assert.equal(response.status, 200)
    assert.deepEqual(seen, [
      "first, by id",
      "second, everywhere",
      "third, under /api",
      "fourth, by id again",
      "handler",
    ])
  })

  it("matches patterns like routes do: /api/* covers /api and below, not /apix; no pattern covers /", async () => {
    const seen: string[] = []
    const app = backend()
    app.use("/api/*", (request, _ctx, next) => {
      seen.push(new URL(request.url).pathname)
      return next()
    })
    app.use((_request, _ctx, next) => next())
    app.all("/*", () => new Response("ok"))
    for (const path of ["/api", "/api/", "/api/a/b", "/apix", "/", "/api?x=1"]) {
      assert.equal((await app.fetch(at(path))).status, 200)
    }
    assert.deepEqual(seen, ["/api", "/api/", "/api/a/b", "/api"])
  })

  it("may answer without calling next(): the route never runs, and no 404 or 405 tells which paths exist", async () => {
    let handled = false
    const app = backend()
    app.use("/admin/*", (request, _ctx, next) => (request.headers.has("authorization") ? next() : unauthorized()))
    app.get("/admin/users", () => {
      handled = true
      return new Response("users")
    })
    assert.equal((await app.fetch(at("/admin/users"))).status, 401)
    assert.equal((await app.fetch(at("/admin/secret-report"))).status, 401, "an unknown path is 401, not 404")
    assert.equal((await app.fetch(at("/admin/users", { method: "DELETE" }))).status, 401, "not 405 either")
    assert.equal(handled, false)
    const authorized = { headers: { authorization: "Bearer x" } }
    assert.equal((await app.fetch(at("/admin/users", authorized))).status, 200)
    assert.equal((await app.fetch(at("/admin/nope", authorized))).status, 404)
    const wrongMethod = await app.fetch(at("/admin/users", { ...authorized, method: "DELETE" }))
    assert.equal(wrongMethod.status, 405)
    assert.equal(wrongMethod.headers.get("allow"), "GET, HEAD")
    assert.equal((await app.fetch(at("/public"))).status, 404, "a path no pattern matches is untouched")
  })

  it("gets the downstream Response from next(), errors and 404s included, and may add headers to it", async () => {
    const { logger } = recordingLogger()
    const app = backend({ logger })
    app.use(async (_request, _ctx, next) => {
      const response = await next()
      response.headers.set("x-request-id", "r1")
      return response
    })
    app.get("/ok", () => new Response("fine"))
    app.get("/fail", () => {
      throw new Error("boom")
    })
    for (const [path, status] of [
      ["/ok", 200],
      ["/fail", 500],
      ["/missing", 404],
    ] as const) {
      const response = await app.fetch(at(path))
      assert.equal(response.status, status, path)
      assert.equal(response.headers.get("x-request-id"), "r1", path)
    }
    const fail = await app.fetch(at("/fail"))
    assert.deepEqual(await fail.json(), { error: "Internal Server Error" })
  })

  it("says clearly when next() is called twice or a middleware returns no Response: a logged 500", async () => {
    const { logger, errors } = recordingLogger()
    const app = backend({ logger })
    let handlerRuns = 0
    app.get("/twice", () => {
      handlerRuns++
      return new Response("once")
    })
    app.get("/forgot", () => new Response("never seen"))
    app.use("/twice", async (_request, _ctx, next) => {
      await next()
      return next()
    })
    const forgetsToReturn = async (_request: Request, _ctx: unknown, next: () => Promise<Response>) => {
      await next()
    }
    app.use("/forgot", forgetsToReturn as unknown as Middleware)
    const twice = await app.fetch(at("/twice"))
    assert.equal(twice.status, 500)
    assert.equal(handlerRuns, 1, "the route runs once")
    assert.match(
      String((errors[0]?.error as Error | undefined)?.message),
      /next\(\) was called twice by the middleware for \/twice/,
    )
    const forgot = await app.fetch(at("/forgot"))
    assert.equal(forgot.status, 500)
    assert.match(
      String((errors[1]?.error as Error | undefined)?.message),
      /middleware for \/forgot returned undefined.*next\(\)/,
    )
  })

  it("passes values on with ctx.set / ctx.get; ctx.get of a name never set is a clear 500", async () => {
    const { logger, errors } = recordingLogger()
    const app = backend<Record<string, unknown>, { user: { id: string }; requestStart: number }>({ logger })
    app.use("/me", (request, ctx, next) => {
      ctx.set("user", { id: request.headers.get("x-user") ?? "anonymous" })
      return next()
    })
    app.use((_request, ctx, next) => {
      ctx.set("requestStart", 1)
      return next()
    })
    app.get("/me", (_request, ctx) => Response.json({ user: ctx.get("user"), start: ctx.get("requestStart") }))
    app.get("/unguarded", (_request, ctx) => Response.json(ctx.get("user")))
    const me = await app.fetch(at("/me", { headers: { "x-user": "ada" } }))
    assert.deepEqual(await me.json(), { user: { id: "ada" }, start: 1 })
    const unguarded = await app.fetch(at("/unguarded"))
    assert.equal(unguarded.status, 500)
    assert.deepEqual(await unguarded.json(), { error: "Internal Server Error" })
    assert.match(
      String((errors[0]?.error as Error | undefined)?.message),
      /ctx\.get\("user"\): nothing was set under that name/,
    )
  })

  it("gives each middleware the params of its own pattern, and the handler those of its route", async () => {
    const seen: unknown[] = []
    const app = backend()
    app.use("/orgs/:org/*", async (_request, ctx, next) => {
      seen.push(ctx.params.org)
      const response = await next()
      seen.push(ctx.params.org, ctx.url.pathname)
      return response
    })
    app.get("/orgs/:name/repos/:repo", (_request, ctx) => Response.json(ctx.params))
    const response = await app.fetch(at("/orgs/acme/repos/web"))
    assert.deepEqual(await response.json(), { name: "acme", repo: "web" })
    assert.deepEqual(seen, ["acme", "acme", "/orgs/acme/repos/web"])
  })

  it("matches the same on every request of a path, and over thousands of distinct paths", async () => {
    const seen: string[] = []
    const app = backend()
    app.use("/api/*", async (_request, _ctx, next) => {
      seen.push("api")
      return next()
    })
    app.use("/orgs/:org/*", async (_request, ctx, next) => {
      seen.push(`org ${ctx.params.org}`)
      return next()
    })
    app.all("/*", () => new Response("ok"))
    for (let round = 0; round < 3; round++) {
      for (const org of ["acme", "initech"]) await app.fetch(at(`/orgs/${org}/repos`))
      await app.fetch(at("/api/profile"))
    }
    assert.deepEqual(seen, Array(3).fill(["org acme", "org initech", "api"]).flat())
    // Many distinct paths (more than are remembered) still match, and the first ones again afterwards.
    seen.length = 0
    for (let index = 0; index < 3000; index++) await app.fetch(at(`/api/item-${index}`))
    await app.fetch(at("/api/profile"))
    await app.fetch(at("/orgs/umbrella/x"))
    assert.equal(seen.length, 3000 + 1 + 1)
    assert.deepEqual(seen.slice(-2), ["api", "org umbrella"])
  })

  it("sends errors thrown in middleware, sync or async, before or after next(), down the handler errors' path", async () => {
    const { logger, errors } = recordingLogger()
    const hooked: unknown[] = []
    const app = backend({ logger, onError: (error) => void hooked.push(error) })
    app.use("/sync", () => {
      throw new HttpError(403, "Forbidden here")
    })
    app.use("/async-before", async () => {
      await Promise.resolve()
      throw Object.assign(new Error("redis down at 10.0.0.3"), { status: 503 })
    })
    app.use("/async-after", async (_request, _ctx, next) => {
      await next()
      throw new Error("database password is hunter2")
    })
    app.use("/weird", () => {
      throw "a string"
    })
    app.all("/*", () => new Response("route"))

    const forbidden = await app.fetch(at("/sync"))
    assert.equal(forbidden.status, 403)
    assert.deepEqual(await forbidden.json(), { error: "Forbidden here" })
    const unavailable = await app.fetch(at("/async-before"))
    assert.equal(unavailable.status, 503)
    assert.deepEqual(await unavailable.json(), { error: "Service Unavailable" })
    const failed = await app.fetch(at("/async-after"))
    assert.equal(failed.status, 500)
    assert.doesNotMatch(await failed.text(), /hunter2/)
    assert.equal((await app.fetch(at("/weird"))).status, 500)

    assert.equal(hooked.length, 4, "onError sees every middleware error")
    assert.deepEqual(
      errors.map((entry) => entry.message),
      [
        "GET http://localhost/async-before failed",
        "GET http://localhost/async-after failed",
        "GET http://localhost/weird failed",
      ],
      "5xx are logged, the 403 is not",
    )
  })

  it("lets onError answer for a middleware's error", async () => {
    const app = backend({ logger: quietLogger, onError: () => new Response("custom", { status: 418 }) })
    app.use(() => {
      throw new Error("boom")
    })
    const response = await app.fetch(at("/anything"))
    assert.equal(response.status, 418)
    assert.equal(await response.text(), "custom")
  })

  it("keeps HEAD bodiless and GET routes answering HEAD", async () => {
    const app = backend()
    app.use(async (_request, _ctx, next) => {
      const response = await next()
      response.headers.set("x-seen", "yes")
      return response
    })
    app.use("/early", () => new Response("an early answer"))
    app.get("/page", () => new Response("a body"))
    const head = await app.fetch(at("/page", { method: "HEAD" }))
    assert.equal(head.status, 200)
    assert.equal(head.headers.get("x-seen"), "yes")
    assert.equal(await head.text(), "")
    const early = await app.fetch(at("/early", { method: "HEAD" }))
    assert.equal(await early.text(), "", "a middleware's own answer to HEAD loses its body too")
  })

  it("limits bodies read in middleware, on routes that take one, on GET-only paths and on unknown paths", async () => {
    const app = backend({ logger: quietLogger, bodyLimit: 16 })
    app.use(async (request, ctx, next) => {
      if (request.method === "POST") ctx.set("body", await request.clone().json())
      return next()
    })
    app.post("/echo", async (request, ctx) => Response.json({ read: ctx.get("body"), again: await request.json() }))
    app.get("/get-only", () => new Response("never"))
    const within = await app.fetch(at("/echo", streamOf('{"a":1}')))
    assert.deepEqual(await within.json(), { read: { a: 1 }, again: { a: 1 } })
    for (const path of ["/echo", "/get-only", "/unknown"]) {
      const over = await app.fetch(at(path, streamOf(`{"a":"${"x".repeat(40)}"}`)))
      assert.equal(over.status, 413, `${path}: a body over the limit`)
      const malformed = await app.fetch(at(path, streamOf('{"a":')))
      assert.equal(malformed.status, 400, `${path}: JSON that does not parse`)
      const declared = await app.fetch(at(path, { method: "POST", body: "x".repeat(40) }))
      assert.equal(declared.status, 413, `${path}: a declared length over the limit`)
    }
  })

  it("keeps app.use(module) declaring modules, and refuses anything else with a TypeError", async () => {
    const app = backend()
    const module = { name: "store" }
    app.use(module)
    assert.deepEqual(app.modules, [module])
    const misuse = app.use.bind(app) as (...args: unknown[]) => unknown
    for (const args of [[42], [null], [{}], [{ name: 7 }], ["/api/*"], ["/api/*", module], ["api", () => {}]]) {
      assert.throws(() => misuse(...args), TypeError, JSON.stringify(args))
    }
    assert.deepEqual(app.modules, [module], "nothing else was declared")
    assert.equal((await app.fetch(at("/"))).status, 404)
  })
})

describe("middleware over a real socket", () => {
  const servers: NodeServer[] = []
  after(() => Promise.all(servers.map((server) => server.close())))

  async function serve(app: ReturnType<typeof backend>): Promise<string> {
    const server = await app.listen({ port: 0, hostname: "127.0.0.1", handleSignals: false })
    servers.push(server)
    return server.url
  }

  it("guards, adds headers, and keeps 404, 405 with Allow and HEAD", async () => {
    const app = backend({ logger: quietLogger })
    app.use(async (_request, _ctx, next) => {
      const response = await next()
      response.headers.set("x-powered-by", "layeron")
      return response
    })
    app.use("/private/*", (request, ctx, next) => {
      const user = request.headers.get("x-user")
      if (user === null) return unauthorized()
      ctx.set("user", user)
      return next()
    })
    app.get("/private/me", (_request, ctx) => Response.json({ user: ctx.get("user") }))
    const url = await serve(app)
    const anonymous = await fetch(`${url}/private/me`)
    assert.equal(anonymous.status, 401)
    assert.equal(anonymous.headers.get("x-powered-by"), "layeron")
    const me = await fetch(`${url}/private/me`, { headers: { "x-user": "ada" } })
    assert.deepEqual(await me.json(), { user: "ada" })
    assert.equal((await fetch(`${url}/nope`)).status, 404)
    const wrong = await fetch(`${url}/private/me`, { method: "DELETE", headers: { "x-user": "ada" } })
    assert.equal(wrong.status, 405)
    assert.equal(wrong.headers.get("allow"), "GET, HEAD")
    const head = await rawRequest(`${url}/private/me`, "HEAD", { "x-user": "ada" })
    assert.equal(head.status, 200)
    assert.equal(head.body, "")
  })

  it("limits a chunked body that a middleware reads", async () => {
    const app = backend({ logger: quietLogger, bodyLimit: 64 })
    app.use(async (request) => Response.json(await request.json()))
    const url = await serve(app)
    const over = await rawRequest(`${url}/anywhere`, "POST", { "transfer-encoding": "chunked" }, [
      '{"a":"',
      "y".repeat(80),
      '"}',
    ])
    assert.equal(over.status, 413)
    const fine = await rawRequest(`${url}/anywhere`, "POST", { "transfer-encoding": "chunked" }, ['{"a":1}'])
    assert.equal(fine.body, '{"a":1}')
  })
})

/** A raw request, so the test controls framing (chunked bodies) and sees HEAD as sent. */
function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  chunks: string[] = [],
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => {
        body += chunk
      })
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on("error", reject)
    for (const chunk of chunks) req.write(chunk)
    req.end()
  })
}

// Type-level checks: tsc -p tsconfig.check.json compiles this; it is never called.
function _typeChecks(): void {
  const app = backend<{ API_KEY: string }, { user: { id: string }; attempts: number }>()
  app.use((_request, ctx, next) => {
    ctx.set("user", { id: "1" })
    ctx.set("attempts", 2)
    // @ts-expect-error: a user is { id: string }, not a string
    ctx.set("user", "ada")
    // @ts-expect-error: no variable of that name was declared
    ctx.set("role", "admin")
    const key: string = ctx.env.API_KEY
    return key ? next() : next()
  })
  app.use("/users/:id", (_request, ctx, next) => {
    const id: string = ctx.params.id
    // @ts-expect-error: the pattern has no :org
    ctx.params.org
    return id ? next() : next()
  })
  app.get("/me", (_request, ctx) => {
    const id: string = ctx.get("user").id
    // @ts-expect-error: attempts is a number
    const wrong: string = ctx.get("attempts")
    // @ts-expect-error: no variable of that name was declared
    ctx.get("session")
    return Response.json({ id, wrong })
  })
  // @ts-expect-error: a middleware must return a Response
  app.use(() => "not a response")
}

// A module's middleware typed only for what it sets fits an app that declares more, or declares nothing.
function _moduleMiddlewareFits(): void {
  type Session = { id: string; userId: string }
  const required: Middleware<string, Record<string, unknown>, { session: Session }> = (_request, ctx, next) => {
    ctx.set("session", { id: "s", userId: "u" })
    return next()
  }
  backend<Record<string, unknown>, { session: Session; locale: string }>().use("/api/*", required)
  backend().use(required)
}
