// PostgreSQL stopped, killed, hung, and back: every operation fails within a
// second with KV_UNAVAILABLE (an app answers 503), nothing hangs or crashes,
// no promise is left unhandled, the same driver works again without a
// restart, and a server killed under load loses no write it acknowledged.
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { backend, type NodeServer } from "@layeron/core"
import { isKVError, type KVStore, kv } from "@layeron/modules"
import { type PostgresDriver, postgresDriver } from "@layeron/modules/drivers/postgres"
import { POSTGRES_PASSWORD, PostgresServer } from "@layeron/test-support/postgres-server"
import { freePort } from "@layeron/test-support/redis-server"

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
process.on("unhandledRejection", onUnhandled)
process.on("uncaughtException", onUnhandled)

let server: PostgresServer
let driver: PostgresDriver
let store: KVStore

before(async () => {
  server = await new PostgresServer().start()
  driver = await postgresDriver({ url: server.url })
  store = kv({ name: "sessions", namespace: "auth", driver, consistency: "strong" })
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
  ["add", () => store.add("session:1", "v")],
  ["increment", () => store.increment("session:1")],
  ["getAndDelete", () => store.getAndDelete("session:1")],
]

/** Runs every operation at once, each expected to fail fast as KV_UNAVAILABLE. */
async function expectUnavailable(state: string): Promise<void> {
  await Promise.all(operations.map(([name, operation]) => expectOneUnavailable(state, name, operation)))
}

async function expectOneUnavailable(state: string, name: string, operation: () => Promise<unknown>): Promise<void> {
  const start = performance.now()
  await assert.rejects(operation(), (error) => {
    assert.ok(isKVError(error, "KV_UNAVAILABLE"), `${name} with PostgreSQL ${state}: ${String(error)}`)
    assert.equal(error.status, 503)
    assert.match(error.message, new RegExp(`PostgreSQL 127\\.0\\.0\\.1:${server.port}/postgres is unavailable`))
    assert.ok(!error.message.includes(POSTGRES_PASSWORD), "no password in the message")
    if (name !== "getMany" && name !== "list") assert.match(error.message, /auth\/sessions\/session:1/)
    return true
  })
  const elapsed = performance.now() - start
  assert.ok(elapsed < 1000, `${name} with PostgreSQL ${state} took ${elapsed.toFixed(0)} ms`)
}

/** Retries until the store answers again; resolves to how long that took. */
async function untilBack(limitMs: number, target = store): Promise<number> {
  const start = performance.now()
  for (;;) {
    try {
      await target.put("session:1", "back")
      return performance.now() - start
    } catch (error) {
      assert.ok(isKVError(error, "KV_UNAVAILABLE"), String(error))
      assert.ok(performance.now() - start < limitMs, `not back after ${limitMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

describe("PostgreSQL stopped, then started again on the same port and data", () => {
  test("every operation fails within a second, then the same driver recovers", async () => {
    await store.put("session:1", "v")
    await server.stop()
    await expectUnavailable("stopped")
    await expectUnavailable("still down")
    await server.start()
    await untilBack(5000)
    assert.equal(await (await store.get("session:1"))?.text(), "back")
  })
})

describe("PostgreSQL killed (-9, every process)", () => {
  test("every operation fails within a second; after the restart's recovery it answers again", async () => {
    await store.put("session:2", "kept")
    await server.kill()
    await expectUnavailable("killed")
    await server.start()
    await untilBack(5000)
    assert.equal(await (await store.get("session:2"))?.text(), "kept", "a committed write survives the crash")
  })
})

describe("PostgreSQL hung (SIGSTOP): connected but silent", () => {
  test("every operation fails within a second; it answers again once resumed", async () => {
    await store.put("session:3", "before")
    server.pause()
    try {
      await expectUnavailable("hung")
    } finally {
      server.resume()
    }
    await untilBack(5000)
    assert.equal(await (await store.get("session:3"))?.text(), "before")
  })
})

describe("an app on PostgreSQL", () => {
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

  test("answers 503 within a second while PostgreSQL is down, and 200 again once it is back", async () => {
    assert.equal((await fetch(`${app.url}/session/s1`)).status, 200)
    await server.stop()
    for (let attempt = 0; attempt < 3; attempt++) {
      const start = performance.now()
      const response = await fetch(`${app.url}/session/s1`)
      assert.equal(response.status, 503)
      assert.doesNotMatch(await response.text(), /PostgreSQL|127\.0\.0\.1|at /, "no detail reaches the client")
      assert.ok(performance.now() - start < 1000)
    }
    assert.ok(logged.length >= 3 && logged.every((error) => isKVError(error, "KV_UNAVAILABLE")), "the detail is logged")
    assert.ok(
      logged.every((error) => !String((error as Error).message).includes(POSTGRES_PASSWORD)),
      "no password in the log",
    )
    await server.start()
    const deadline = Date.now() + 5000
    let response = await fetch(`${app.url}/session/s1`)
    while (response.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      response = await fetch(`${app.url}/session/s1`)
    }
    assert.equal(response.status, 200)
    assert.equal(await response.text(), "alive")
  })
})

describe("a server killed under load", () => {
  test("loses no write it acknowledged", async () => {
    const loadStore = kv({ name: "load", driver })
    const acknowledged = new Map<string, string>()
    let failed = 0
    let stop = false
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      for (let index = 0; !stop; index++) {
        const key = `w${writer}:${index}`
        const value = `value ${writer}/${index}`
        try {
          await loadStore.put(key, value)
          acknowledged.set(key, value)
        } catch (error) {
          assert.ok(isKVError(error, "KV_UNAVAILABLE"), String(error))
          failed++
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
      }
    })
    const until = async (count: number) => {
      while (acknowledged.size < count) await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await until(200)
    await server.kill()
    await new Promise((resolve) => setTimeout(resolve, 300))
    await server.start()
    const afterRestart = acknowledged.size
    await until(afterRestart + 200)
    stop = true
    await Promise.all(writers)
    assert.ok(failed > 0, "some writes failed while the server was down")
    const keys = [...acknowledged.keys()]
    for (let start = 0; start < keys.length; start += 1000) {
      const found = await loadStore.getMany(keys.slice(start, start + 1000))
      for (const [key, handle] of found) {
        assert.equal(await handle?.text(), acknowledged.get(key), `acknowledged write ${key} is there`)
      }
    }
  })
})

describe("an app that starts while PostgreSQL is down", () => {
  test("opens anyway, answers KV_UNAVAILABLE, and creates its table once PostgreSQL comes up", async () => {
    const late = new PostgresServer({ port: await freePort() })
    const start = performance.now()
    const lateDriver = await postgresDriver({ url: late.url })
    assert.ok(performance.now() - start < 1500, "opening does not wait for PostgreSQL")
    const lateStore = kv({ name: "late", driver: lateDriver })
    try {
      await assert.rejects(lateStore.get("k"), (error) => isKVError(error, "KV_UNAVAILABLE"))
      await late.start()
      await untilBack(5000, lateStore)
      assert.equal(await (await lateStore.get("session:1"))?.text(), "back")
    } finally {
      await lateDriver.close()
      await late.dispose()
    }
  })
})

describe("a wrong password", () => {
  test("is KV_UNAVAILABLE (the operator fixes it), and the message never shows it", async () => {
    const wrong = await postgresDriver({
      url: `postgres://postgres:not-${POSTGRES_PASSWORD}@127.0.0.1:${server.port}/postgres`,
    })
    try {
      await assert.rejects(kv({ name: "wrong", driver: wrong }).get("k"), (error) => {
        assert.ok(isKVError(error, "KV_UNAVAILABLE"), String(error))
        assert.match(error.message, /password authentication failed/)
        assert.ok(!error.message.includes(POSTGRES_PASSWORD))
        return true
      })
    } finally {
      await wrong.close()
    }
  })
})

describe("sslmode=require against a server without TLS", () => {
  test("is KV_UNAVAILABLE saying so, never a plain-text connection", async () => {
    const tls = await postgresDriver({ url: `${server.url}?sslmode=require` })
    try {
      await assert.rejects(kv({ name: "tls", driver: tls }).get("k"), (error) => {
        assert.ok(isKVError(error, "KV_UNAVAILABLE"), String(error))
        assert.match(error.message, /does not support SSL/)
        return true
      })
    } finally {
      await tls.close()
    }
  })
})

describe("the whole run", () => {
  test("left no unhandled rejection and no uncaught exception", async () => {
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.deepEqual(unhandled, [])
  })
})
