import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { backend } from "@layeron/core"

const quietLogger = { info() {}, error() {} }

function echoApp(bodyLimit?: number) {
  const app = backend({ logger: quietLogger, bodyLimit })
  app.post("/json", async (request) => Response.json({ got: await request.json() }))
  app.post("/text", async (request) => new Response(await request.text()))
  app.post("/ignore", () => new Response("not read"))
  return app
}

const post = (
  path: string,
  body: string | Uint8Array | ReadableStream<Uint8Array> | null,
  headers: Record<string, string> = {},
) => new Request(`http://localhost${path}`, { method: "POST", body, headers, duplex: "half" } as RequestInit)

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
}

describe("request bodies", () => {
  it("parses a JSON body", async () => {
    const response = await echoApp().fetch(post("/json", '{"email":"a@example.com"}'))
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { got: { email: "a@example.com" } })
  })

  it("answers 400 with a clear message for malformed JSON", async () => {
    for (const body of ["{", '{"email":', "not json", '{"a":1}}']) {
      const response = await echoApp().fetch(post("/json", body))
      assert.equal(response.status, 400, body)
      assert.match(((await response.json()) as { error: string }).error, /not valid JSON/)
    }
  })

  it("answers 400 for an empty body where JSON is expected", async () => {
    const response = await echoApp().fetch(post("/json", null))
    assert.equal(response.status, 400)
    assert.match(((await response.json()) as { error: string }).error, /empty/)
  })

  it("answers 400 for a JSON body that is not valid UTF-8", async () => {
    const response = await echoApp().fetch(post("/json", new Uint8Array([0x22, 0xff, 0xfe, 0x22])))
    assert.equal(response.status, 400)
    assert.match(((await response.json()) as { error: string }).error, /UTF-8/)
  })

  it("answers 413 when the declared length is over the limit, before the handler runs", async () => {
    const response = await echoApp(10).fetch(post("/ignore", "x".repeat(11), { "content-length": "11" }))
    assert.equal(response.status, 413)
    assert.match(((await response.json()) as { error: string }).error, /10 bytes/)
  })

  it("answers 413 when a body of unknown length grows over the limit", async () => {
    const chunks = [new Uint8Array(6).fill(65), new Uint8Array(6).fill(66)]
    const response = await echoApp(10).fetch(post("/text", streamOf(chunks)))
    assert.equal(response.status, 413)
  })

  it("reads a body of unknown length within the limit", async () => {
    const chunks = [new TextEncoder().encode("hello "), new TextEncoder().encode("world")]
    const response = await echoApp(11).fetch(post("/text", streamOf(chunks)))
    assert.equal(await response.text(), "hello world")
  })

  it("answers 400 for a Content-Length that is not a number", async () => {
    const app = echoApp()
    const request = post("/text", "abc")
    Object.defineProperty(request, "headers", { value: new Headers({ "content-length": "abc" }) })
    assert.equal((await app.fetch(request)).status, 400)
  })

  it("defaults the limit to 1 MiB", async () => {
    const app = echoApp()
    assert.equal(app.bodyLimit, 1024 * 1024)
    assert.equal((await app.fetch(post("/text", "x".repeat(1024 * 1024)))).status, 200)
    assert.equal((await app.fetch(post("/text", "x".repeat(1024 * 1024 + 1)))).status, 413)
  })
})
