import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { backend, type LayeronModule, type ModuleContext } from "@layeron/core"

function trackingModule(name: string, events: string[], options: { failedStarts?: number } = {}): LayeronModule {
  let failuresLeft = options.failedStarts ?? 0
  return {
    name,
    start(context: ModuleContext) {
      events.push(`start ${name} ${String(context.env.MARK)}`)
      if (failuresLeft-- > 0) throw Object.assign(new Error(`${name} cannot connect`), { status: 503 })
    },
    close() {
      events.push(`close ${name}`)
    },
  }
}

describe("modules", () => {
  it("starts every module once, with the environment of the first request", async () => {
    const events: string[] = []
    const app = backend({ logger: { info() {}, error() {} } })
    app.use(trackingModule("a", events)).use(trackingModule("b", events))
    app.get("/", () => new Response("ok"))
    await Promise.all([
      app.fetch(new Request("http://localhost/"), { MARK: "env1" }),
      app.fetch(new Request("http://localhost/"), { MARK: "env1" }),
    ])
    await app.fetch(new Request("http://localhost/"), { MARK: "env2" })
    assert.deepEqual(events, ["start a env1", "start b env1"])
    assert.deepEqual(
      app.modules.map((module) => module.name),
      ["a", "b"],
    )
  })

  it("closes modules last-declared first", async () => {
    const events: string[] = []
    const app = backend()
    app.use(trackingModule("a", events)).use(trackingModule("b", events))
    await app.start({ MARK: "x" })
    await app.close()
    assert.deepEqual(events, ["start a x", "start b x", "close b", "close a"])
  })

  it("answers with the module's status when it cannot start, and retries on the next start", async () => {
    const events: string[] = []
    const app = backend({ logger: { info() {}, error() {} } })
    app.use(trackingModule("db", events, { failedStarts: 1 }))
    app.get("/", () => new Response("ok"))
    const response = await app.fetch(new Request("http://localhost/"), { MARK: "m" })
    assert.equal(response.status, 503)
    const retried = await app.fetch(new Request("http://localhost/"), { MARK: "m" })
    assert.equal(retried.status, 200)
    assert.deepEqual(events, ["start db m", "start db m"])
  })

  it("refuses use() after the app started, and a value that is not a module", async () => {
    const app = backend()
    assert.throws(() => app.use(null as unknown as LayeronModule), /takes a module/)
    await app.start({})
    assert.throws(() => app.use({ name: "late" }), /after the app started/)
  })
})
