import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { backend } from "@layeron/core"

const quietLogger = { info() {}, error() {} }

function request(method: string, path: string, init: RequestInit = {}): Request {
  return new Request(`http://localhost${path}`, { method, ...init })
}

describe("routing", () => {
  it("routes by method and path, with typed, decoded parameters", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/users/:id/posts/:postId", (_request, ctx) =>
      Response.json({ id: ctx.params.id, post: ctx.params.postId }),
    )
    app.post("/users", () => new Response("created", { status: 201 }))
    const response = await app.fetch(request("GET", "/users/ada%20l/posts/7?x=1"))
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { id: "ada l", post: "7" })
    const created = await app.fetch(request("POST", "/users"))
    assert.equal(created.status, 201)
  })

  it("prefers the first route registered when two patterns match", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/users/me", () => new Response("me"))
    app.get("/users/:id", (_request, ctx) => new Response(`user ${ctx.params.id}`))
    assert.equal(await (await app.fetch(request("GET", "/users/me"))).text(), "me")
    assert.equal(await (await app.fetch(request("GET", "/users/42"))).text(), "user 42")
  })

  it("matches a trailing wildcard", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/files/*", (_request, ctx) => new Response(ctx.url.pathname))
    assert.equal(await (await app.fetch(request("GET", "/files/a/b/c.txt"))).text(), "/files/a/b/c.txt")
  })

  it("ignores the query and a fragment when routing", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/a", () => new Response("a"))
    assert.equal((await app.fetch(request("GET", "/a?x=1"))).status, 200)
    assert.equal((await app.fetch(request("GET", "/a#part"))).status, 200)
    assert.equal((await app.fetch(request("GET", "/a#part?x"))).status, 200)
  })

  it("answers 404 for an unknown path, as JSON", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/known", () => new Response("ok"))
    const response = await app.fetch(request("GET", "/unknown"))
    assert.equal(response.status, 404)
    assert.deepEqual(await response.json(), { error: "Not Found" })
  })

  it("answers 405 with Allow for a known path and another method", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/thing", () => new Response("ok"))
    app.delete("/thing", () => new Response("gone"))
    const response = await app.fetch(request("PUT", "/thing"))
    assert.equal(response.status, 405)
    assert.equal(response.headers.get("allow"), "GET, HEAD, DELETE")
  })

  it("answers HEAD from a GET route, with the headers and no body", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/page", () => new Response("hello", { headers: { "x-page": "1" } }))
    const response = await app.fetch(request("HEAD", "/page"))
    assert.equal(response.status, 200)
    assert.equal(response.headers.get("x-page"), "1")
    assert.equal(response.body, null)
  })

  it("routes every method to all()", async () => {
    const app = backend({ logger: quietLogger })
    app.all("/any", (req) => new Response(req.method))
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      assert.equal(await (await app.fetch(request(method, "/any"))).text(), method)
    }
  })

  it("answers options() routes", async () => {
    const app = backend({ logger: quietLogger })
    app.options("/cors", () => new Response(null, { status: 204, headers: { "access-control-allow-origin": "*" } }))
    const response = await app.fetch(request("OPTIONS", "/cors"))
    assert.equal(response.status, 204)
    assert.equal(response.headers.get("access-control-allow-origin"), "*")
  })

  it("answers 400 for a parameter with malformed percent-encoding", async () => {
    const app = backend({ logger: quietLogger })
    app.get("/users/:id", (_request, ctx) => new Response(ctx.params.id))
    const response = await app.fetch(request("GET", "/users/%E0%A4%A"))
    assert.equal(response.status, 400)
    assert.match(((await response.json()) as { error: string }).error, /percent-encoding/)
  })

  it("refuses a route registered twice, and a path without a leading slash", () => {
    const app = backend({ logger: quietLogger })
    app.get("/a", () => new Response("a"))
    assert.throws(() => app.get("/a", () => new Response("again")), /already registered/)
    assert.throws(() => app.get("a" as "/a", () => new Response("a")), /starting with "\/"/)
  })

  it("types path parameters from the path", () => {
    const app = backend({ logger: quietLogger })
    app.get("/orgs/:org/repos/:repo", (_request, ctx) => {
      const org: string = ctx.params.org
      const repo: string = ctx.params.repo
      // @ts-expect-error: "name" is not a parameter of this path
      const missing: string = ctx.params.name
      return new Response(`${org}/${repo}/${missing}`)
    })
  })
})
