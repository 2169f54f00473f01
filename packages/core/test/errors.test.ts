import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { backend, HttpError, isStatusError, isUserFixable, ListenError } from "@layeron/core"

function recordingLogger() {
  const errors: { message: string; error: unknown }[] = []
  return { errors, logger: { info() {}, error: (message: string, error?: unknown) => errors.push({ message, error }) } }
}

const get = (path: string) => new Request(`http://localhost${path}`)

describe("errors", () => {
  it("turns an HttpError into its status and message", async () => {
    const { logger, errors } = recordingLogger()
    const app = backend({ logger })
    app.get("/teapot", () => {
      throw new HttpError(418, "I am a teapot")
    })
    const response = await app.fetch(get("/teapot"))
    assert.equal(response.status, 418)
    assert.deepEqual(await response.json(), { error: "I am a teapot" })
    assert.equal(errors.length, 0, "a client error is not logged as a failure")
  })

  it("answers a generic 500 for anything else, with the detail only in the log", async () => {
    const { logger, errors } = recordingLogger()
    const app = backend({ logger })
    app.get("/boom", () => {
      throw new Error("database password is hunter2")
    })
    const response = await app.fetch(get("/boom"))
    assert.equal(response.status, 500)
    const body = await response.text()
    assert.deepEqual(JSON.parse(body), { error: "Internal Server Error" })
    assert.doesNotMatch(body, /hunter2|at /)
    assert.equal(errors.length, 1)
    assert.match(String((errors[0]?.error as Error | undefined)?.message), /hunter2/)
  })

  it("answers 503 when a module error says its backend is unreachable", async () => {
    const { logger } = recordingLogger()
    const app = backend({ logger })
    const unavailable = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6390"), {
      code: "KV_UNAVAILABLE",
      status: 503,
    })
    app.get("/session", () => {
      throw unavailable
    })
    const response = await app.fetch(get("/session"))
    assert.equal(response.status, 503)
    assert.deepEqual(await response.json(), { error: "Service Unavailable" })
  })

  it("answers 500 when a handler returns something that is not a Response", async () => {
    const { logger, errors } = recordingLogger()
    const app = backend({ logger })
    app.get("/wrong", () => ({ not: "a response" }) as unknown as Response)
    const response = await app.fetch(get("/wrong"))
    assert.equal(response.status, 500)
    assert.match(String((errors[0]?.error as Error | undefined)?.message), /not a Response/)
  })

  it("lets onError answer, and falls back when it returns nothing", async () => {
    const { logger } = recordingLogger()
    const app = backend({
      logger,
      onError: (error) =>
        (error as Error).message === "custom" ? new Response("handled", { status: 502 }) : undefined,
    })
    app.get("/custom", () => {
      throw new Error("custom")
    })
    app.get("/other", () => {
      throw new Error("other")
    })
    assert.equal((await app.fetch(get("/custom"))).status, 502)
    assert.equal((await app.fetch(get("/other"))).status, 500)
  })

  it("answers the generic 500 for any thrown value, however hostile, and logs it", async () => {
    const hostile: Record<string, () => unknown> = {
      "a status getter that throws": () =>
        Object.defineProperty(new Error("x"), "status", {
          get() {
            throw new Error("status getter")
          },
        }),
      "a Proxy whose every trap throws": () =>
        new Proxy(
          {},
          Object.fromEntries(
            ["get", "has", "getPrototypeOf", "ownKeys", "getOwnPropertyDescriptor"].map((trap) => [
              trap,
              () => {
                throw new Error(`${trap} trap`)
              },
            ]),
          ),
        ),
      "an object whose toString throws": () => ({
        toString() {
          throw new Error("toString")
        },
      }),
      null: () => null,
      "a symbol": () => Symbol("thrown"),
    }
    for (const [name, make] of Object.entries(hostile)) {
      const lines: string[] = []
      // A logger that formats the error itself, as many do: it throws on some of these values.
      const app = backend({
        logger: { info() {}, error: (message, error) => void lines.push(`${message}: ${String(error)}`) },
      })
      app.get("/throw", () => {
        throw make()
      })
      const response = await app.fetch(get("/throw"))
      assert.equal(response.status, 500, name)
      assert.deepEqual(await response.json(), { error: "Internal Server Error" }, name)
      assert.equal(lines.length, 1, `${name}: one line logged`)
      assert.match(lines[0] ?? "", /^GET http:\/\/localhost\/throw failed: /, name)
    }
  })

  it("logs a failed request without its query string, which can carry a token", async () => {
    const lines: string[] = []
    const app = backend({ logger: { info() {}, error: (message) => void lines.push(message) } })
    app.get("/throw", () => {
      throw new Error("boom")
    })
    assert.equal((await app.fetch(get("/throw?token=hunter2&x=1"))).status, 500)
    assert.deepEqual(lines, ["GET http://localhost/throw?... failed"])
  })

  it("answers when the logger throws, or cannot even be read, on every path that logs", async () => {
    const throwing = {
      info() {
        throw new Error("info")
      },
      error() {
        throw new Error("logger down")
      },
    }
    const unreadable = {
      info() {},
      get error(): () => void {
        throw new Error("getter")
      },
    }
    for (const logger of [throwing, unreadable]) {
      const app = backend({
        logger,
        onError: () => {
          throw new Error("onError broken too")
        },
      })
      app.get("/boom", () => {
        throw new Error("boom")
      })
      const response = await app.fetch(get("/boom"))
      assert.equal(response.status, 500)
      app.logger.info("still fine")
    }
  })

  it("ignores an async logger that rejects, rather than leaving an unhandled rejection", async () => {
    const unhandled: unknown[] = []
    const record = (reason: unknown) => void unhandled.push(reason)
    process.on("unhandledRejection", record)
    try {
      const app = backend({
        logger: { info: async () => {}, error: async () => Promise.reject(new Error("log sink down")) },
      })
      app.get("/boom", () => {
        throw new Error("boom")
      })
      assert.equal((await app.fetch(get("/boom"))).status, 500)
      await new Promise((resolve) => setTimeout(resolve, 10))
      assert.deepEqual(unhandled, [])
    } finally {
      process.off("unhandledRejection", record)
    }
  })

  it("refuses HttpError statuses outside 400-599", () => {
    assert.throws(() => new HttpError(200), RangeError)
  })
})

describe("the error contract", () => {
  it("reads a 5xx status and the userFixable flag from any error, whatever its class", async () => {
    class QueueDown extends Error {
      readonly status = 503
      readonly userFixable = true
    }
    const error = new QueueDown("queue down")
    assert.equal(isStatusError(error), true)
    assert.equal(isUserFixable(error), true)
    const app = backend({ logger: { info() {}, error() {} } })
    app.get("/queue", () => {
      throw error
    })
    assert.equal((await app.fetch(get("/queue"))).status, 503)
    assert.equal(isUserFixable(new ListenError("Port 3000 is in use", "EADDRINUSE")), true)
  })

  it("refuses what does not follow it, and never throws", () => {
    for (const status of [404, 499, 600, 503.5, "503", Number.NaN]) assert.equal(isStatusError({ status }), false)
    for (const flag of ["true", 1, false])
      assert.equal(isUserFixable(Object.assign(new Error(), { userFixable: flag })), false)
    assert.equal(isUserFixable({ message: "not an Error", userFixable: true }), false)
    const hostile = new Proxy(new Error("x"), {
      get() {
        throw new Error("get trap")
      },
      getPrototypeOf() {
        throw new Error("getPrototypeOf trap")
      },
    })
    for (const value of [hostile, null, undefined, Symbol("s"), 0]) {
      assert.equal(isStatusError(value), false)
      assert.equal(isUserFixable(value), false)
    }
  })
})
