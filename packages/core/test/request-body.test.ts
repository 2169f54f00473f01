import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { backend } from "@layeron/core"
import {
  addBodyReaderRoutes,
  BODY_READERS,
  FORM_READERS,
  JSON_READERS,
  readerPath,
} from "@layeron/test-support/body-readers"

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

const LIMIT = 64
const METHODS = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "QUERY", "REPORT"]

function readerApp() {
  const app = backend({ logger: quietLogger, bodyLimit: LIMIT })
  addBodyReaderRoutes(app)
  return app
}

function request(
  method: string,
  reader: string,
  body: string | ReadableStream<Uint8Array> | null,
  headers: Record<string, string> = {},
) {
  const init = { method, body, headers, duplex: "half" }
  return new Request(`http://localhost${readerPath(method, reader)}`, init as RequestInit)
}

/** A body of unknown length: no Content-Length, as a chunked upload arrives. */
const chunked = (text: string) =>
  streamOf([new TextEncoder().encode(text.slice(0, 10)), new TextEncoder().encode(text.slice(10))])

describe("every body reader, on every method", () => {
  for (const method of METHODS) {
    describe(method, () => {
      for (const reader of Object.keys(BODY_READERS)) {
        it(`${reader}: 413 for a body of unknown length over the limit, 200 within it`, async () => {
          const app = readerApp()
          const over = await app.fetch(request(method, reader, chunked("x".repeat(LIMIT + 1))))
          assert.equal(over.status, 413, await over.clone().text())
          assert.match(((await over.json()) as { error: string }).error, /64 bytes/)
          const body = JSON_READERS.includes(reader) ? '{"a":1}' : FORM_READERS.includes(reader) ? "a=1&b=2" : "hello"
          const type = FORM_READERS.includes(reader) ? "application/x-www-form-urlencoded" : "text/plain"
          const within = await app.fetch(request(method, reader, chunked(body), { "content-type": type }))
          assert.equal(within.status, 200, await within.clone().text())
          const got = (await within.json()) as { size: number; usedBefore: boolean; usedAfter: boolean }
          assert.equal(got.size, FORM_READERS.includes(reader) ? 2 : body.length)
          assert.equal(got.usedBefore, false)
          assert.equal(got.usedAfter, !reader.startsWith("clone-"), "bodyUsed says whether the request's body was read")
        })
      }

      it("413 before the handler runs for a declared length over the limit, whatever the reader", async () => {
        for (const reader of Object.keys(BODY_READERS)) {
          const response = await readerApp().fetch(request(method, reader, "x", { "content-length": "3000000" }))
          assert.equal(response.status, 413, reader)
        }
      })

      it("400 for malformed or empty JSON, with a body of known or unknown length", async () => {
        for (const reader of JSON_READERS) {
          for (const body of ["{", "not json", "", null]) {
            const known = await readerApp().fetch(request(method, reader, body))
            assert.equal(known.status, 400, `${reader} ${JSON.stringify(body)}`)
            const unknown = await readerApp().fetch(request(method, reader, chunked(body ?? "")))
            assert.equal(unknown.status, 400, `${reader} ${JSON.stringify(body)} of unknown length`)
          }
        }
      })

      it("400 for a body that is not form data", async () => {
        for (const reader of FORM_READERS) {
          for (const [type, body] of [
            ["multipart/form-data; boundary=x", "garbage"],
            ["application/json", '{"a":1}'],
            [undefined, "a=1"],
          ] as const) {
            const headers: Record<string, string> = type === undefined ? {} : { "content-type": type }
            const response = await readerApp().fetch(request(method, reader, chunked(body), headers))
            assert.equal(response.status, 400, `${reader} ${type}`)
            assert.match(((await response.json()) as { error: string }).error, /form data/)
          }
        }
      })
    })
  }

  it("GET and HEAD on an app.all() route carry no body: empty JSON is a 400, not a 500", async () => {
    for (const method of ["GET", "HEAD"]) {
      for (const reader of JSON_READERS) {
        const response = await readerApp().fetch(request(method, reader, null))
        assert.equal(response.status, 400, `${method} ${reader}`)
      }
      const text = await readerApp().fetch(request(method, "text", null))
      assert.equal(text.status, 200)
    }
  })

  it("a body read twice is the handler's bug: a 500, not a 4xx", async () => {
    const app = backend({ logger: quietLogger, bodyLimit: LIMIT })
    app.post("/twice", async (request) => {
      await request.text()
      return Response.json(await request.formData())
    })
    const response = await app.fetch(
      post("/twice", chunked("a=1"), { "content-type": "application/x-www-form-urlencoded" }),
    )
    assert.equal(response.status, 500)
  })

  it("new Request(request) forwards only a limited body", async () => {
    const app = backend({ logger: quietLogger, bodyLimit: LIMIT })
    app.post("/forward", async (request) => new Response(await new Request(request).text()))
    assert.equal((await app.fetch(post("/forward", chunked("x".repeat(LIMIT + 1))))).status, 413)
    assert.equal(await (await app.fetch(post("/forward", chunked("hello")))).text(), "hello")
  })
})
