// Redis down, hung, and back: every operation fails within a second with
// KV_UNAVAILABLE (an app answers 503), nothing hangs or crashes, no promise
// is left unhandled, and everything works again without a restart.
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { backend, type NodeServer } from "@layeron/core"
import { isKVError, type KVStore, kv } from "@layeron/modules"
import { type RedisDriver, redisDriver } from "@layeron/modules/drivers/redis"
import { freePort, RedisServer } from "@layeron/test-support/redis-server"

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
process.on("unhandledRejection", onUnhandled)
process.on("uncaughtException", onUnhandled)

let server: RedisServer
let driver: RedisDriver
let store: KVStore

before(async () => {
  server = await new RedisServer().start()
  driver = await redisDriver({ url: server.url })
  store = kv({ name: "sessions", namespace: "auth", driver })
})

after(async () => {
  await driver?.close()
  await server?.dispose()
  process.off("unhandledRejection", onUnhandled)
  process.off("uncaughtException", onUnhandled)
})

const operations: [string, () => Promise<unknown>][] = [
  ["get", () => store.get("session:1")],
  ["has", () => store.has("session:1")],
  ["getMany", () => store.getMany(["session:1", "session:2"])],
  ["put", () => store.put("session:1", "v")],
  ["delete", () => store.delete("session:1")],
  ["list", () => store.list({ prefix: "session:" })],
]

/** Runs every operation at once, each expected to fail fast as KV_UNAVAILABLE. */
async function expectUnavailable(state: string): Promise<void> {
  await Promise.all(operations.map(([name, operation]) => expectOneUnavailable(state, name, operation)))
}

async function expectOneUnavailable(state: string, name: string, operation: () => Promise<unknown>): Promise<void> {
  const start = performance.now()
  await assert.rejects(operation(), (error) => {
    assert.ok(isKVError(error, "KV_UNAVAILABLE"), `${name} with Redis ${state}: ${String(error)}`)
    assert.equal(error.status, 503)
    assert.match(error.message, new RegExp(`Redis 127\\.0\\.0\\.1:${server.port} is unavailable`))
    if (name !== "getMany" && name !== "list") assert.match(error.message, /auth\/sessions\/session:1/)
    return true
  })
  const elapsed = performance.now() - start
  assert.ok(elapsed < 1000, `${name} with Redis ${state} took ${elapsed.toFixed(0)} ms`)
}

/** Retries until the store answers again; resolves to how long that took. */
async function untilBack(limitMs: number): Promise<number> {
  const start = performance.now()
  for (;;) {
    try {
      await store.put("session:1", "back")
      return performance.now() - start
    } catch (error) {
      assert.ok(isKVError(error, "KV_UNAVAILABLE"), String(error))
      assert.ok(performance.now() - start < limitMs, `not back after ${limitMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

describe("Redis killed (-9), then restarted on the same port", () => {
  test("every operation fails within a second, then the same driver recovers", async () => {
    await store.put("session:1", "v")
    await server.kill()
    await expectUnavailable("killed")
    await expectUnavailable("still down")
    await server.start()
    const took = await untilBack(3000)
    assert.ok(took < 1500, `recovered after ${took.toFixed(0)} ms`)
    assert.equal(await (await store.get("session:1"))?.text(), "back")
  })
})

describe("Redis hung (SIGSTOP): connected but silent", () => {
  test("every operation times out within a second; it answers again once resumed", async () => {
    process.kill(server.pid as number, "SIGSTOP")
    try {
      await expectUnavailable("hung")
    } finally {
      process.kill(server.pid as number, "SIGCONT")
    }
    await untilBack(3000)
    await store.put("session:2", "two")
    assert.equal(await (await store.get("session:2"))?.text(), "two")
  })
})

describe("an app on Redis", () => {
  let app: NodeServer
  let appStore: KVStore

  const logged: unknown[] = []

  before(async () => {
    const web = backend({ logger: { info: () => undefined, error: (_message, error) => logged.push(error) } })
    appStore = kv({ name: "app", driver: server.url })
    web.use(appStore)
    web.get("/session/:id", async (_request, context) => {
      const handle = await appStore.get(context.params.id)
      return handle ? new Response(await handle.text()) : new Response("none", { status: 404 })
    })
    app = await web.listen({ port: 0, hostname: "127.0.0.1", handleSignals: false })
    await appStore.put("s1", "alive")
  })

  after(() => app?.close())

  test("answers 503 within a second while Redis is down, and 200 again once it is back", async () => {
    assert.equal((await fetch(`${app.url}/session/s1`)).status, 200)
    await server.kill()
    for (let attempt = 0; attempt < 3; attempt++) {
      const start = performance.now()
      const response = await fetch(`${app.url}/session/s1`)
      assert.equal(response.status, 503)
      assert.doesNotMatch(await response.text(), /Redis|127\.0\.0\.1|at /, "no detail reaches the client")
      assert.ok(performance.now() - start < 1000)
    }
    assert.ok(logged.length >= 3 && logged.every((error) => isKVError(error, "KV_UNAVAILABLE")), "the detail is logged")
    await server.start()
    await appStore.put("s1", "alive again").catch(() => undefined)
    const deadline = Date.now() + 3000
    let response = await fetch(`${app.url}/session/s1`)
    while (response.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      await appStore.put("s1", "alive again").catch(() => undefined)
      response = await fetch(`${app.url}/session/s1`)
    }
    assert.equal(response.status, 200)
    assert.equal(await response.text(), "alive again")
  })
})

describe("an app that starts while Redis is down", () => {
  test("opens anyway, answers KV_UNAVAILABLE, and works once Redis comes up", async () => {
    const port = await freePort()
    const start = performance.now()
    const late = await redisDriver({ url: `redis://127.0.0.1:${port}` })
    assert.ok(performance.now() - start < 1500, "opening does not wait for Redis")
    const lateStore = kv({ name: "late", driver: late })
    const late2 = new RedisServer({ port })
    try {
      await assert.rejects(lateStore.get("k"), (error) => isKVError(error, "KV_UNAVAILABLE"))
      await late2.start()
      const deadline = Date.now() + 3000
      for (;;) {
        const ok = await lateStore.put("k", "v").then(
          () => true,
          () => false,
        )
        if (ok) break
        assert.ok(Date.now() < deadline, "not connected 3 s after Redis came up")
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      assert.equal(await (await lateStore.get("k"))?.text(), "v")
    } finally {
      await late.close()
      await late2.dispose()
    }
  })
})

describe("the whole run", () => {
  test("left no unhandled rejection and no uncaught exception", async () => {
    // Late replies and reconnects settle within a few event-loop turns.
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(unhandled, [])
  })
})
