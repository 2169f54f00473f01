// LAYERON_KV's Redis forms, and the promise that an app on SQLite never loads a Redis client.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { inspect } from "node:util"
import { isKVError, kv, parseKVUrl } from "@layeron/modules"
import { redisDriver } from "@layeron/modules/drivers/redis"
import { type RedisServer, startRedis } from "@layeron/test-support/redis-server"
import { parseRedisUrl } from "../../../src/kv/drivers/redis/url.ts"

describe("LAYERON_KV for Redis", () => {
  test("accepts a server, TLS, a database, credentials and a cluster", () => {
    assert.deepEqual(parseKVUrl("redis://127.0.0.1:6380"), { kind: "redis", url: "redis://127.0.0.1:6380" })
    assert.deepEqual(parseRedisUrl("redis://cache.internal:6380/2"), {
      cluster: false,
      nodes: [{ host: "cache.internal", port: 6380 }],
      username: undefined,
      password: undefined,
      db: 2,
      tls: false,
      cache: false,
    })
    assert.deepEqual(parseRedisUrl("rediss://app:p%40ss:w0rd@redis.example.com:6390"), {
      cluster: false,
      nodes: [{ host: "redis.example.com", port: 6390 }],
      username: "app",
      password: "p@ss:w0rd",
      db: 0,
      tls: true,
      cache: false,
    })
    assert.deepEqual(parseRedisUrl("redis://:secret@localhost").password, "secret")
    assert.deepEqual(parseRedisUrl("redis://localhost").nodes, [{ host: "localhost", port: 6379 }])
    assert.deepEqual(parseRedisUrl("redis://[::1]:7000").nodes, [{ host: "::1", port: 7000 }])
    const cluster = parseRedisUrl("redis+cluster://10.0.0.1:7000,10.0.0.2:7001,[::1]:7002")
    assert.equal(cluster.cluster, true)
    assert.deepEqual(cluster.nodes, [
      { host: "10.0.0.1", port: 7000 },
      { host: "10.0.0.2", port: 7001 },
      { host: "::1", port: 7002 },
    ])
    assert.equal(parseRedisUrl("rediss+cluster://u:p@a:1,b:2").tls, true)
    assert.equal(parseRedisUrl("redis://u:p@a:1/3?cache=on").cache, true)
    assert.equal(parseRedisUrl("redis://a:1?cache=off").cache, false)
  })

  test("refuses a wrong URL in one line that names the variable and hides the password", () => {
    const wrong = [
      "redis:/localhost",
      "redis://",
      "redis://host:99999",
      "redis://host:port",
      "redis://host:6379/db1",
      "redis://a:1,b:2",
      "redis+cluster://a:1,b:2/3",
      "redis://user:hunter2@host:6379/x",
      "redis://user:hunter2@host:6379?cache=yes",
      "redis://host:6379?timeout=5",
      "redis+cluster://a:1,b:2?cache=on",
    ]
    for (const url of wrong) {
      assert.throws(
        () => parseKVUrl(url),
        (error: unknown) => {
          assert.ok(isKVError(error, "KV_CONFIG_INVALID"), url)
          assert.match(error.message, /^LAYERON_KV=/)
          assert.match(error.message, /redis\+cluster:\/\/host:port,host:port/)
          assert.doesNotMatch(error.message, /hunter2/)
          assert.doesNotMatch(error.message, /\n/)
          return true
        },
      )
    }
    assert.throws(() => parseKVUrl("mysql://x"), /memory:, redis:\/\/\[user:password@\]host:port\[\/db\]/)
  })
})

describe("loading", () => {
  const loaded = () =>
    Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes(`${"node_modules"}/ioredis/`))

  test("an app on SQLite never loads the Redis client; a Redis store does, on open", async () => {
    const dir = mkdtempSync(join(tmpdir(), "layeron-redis-url-"))
    try {
      const store = kv({ name: "plain", driver: `sqlite:${join(dir, "kv.db")}` })
      await store.put("k", "v")
      assert.equal(await (await store.get("k"))?.text(), "v")
      await store.close()
      assert.equal(loaded(), false, "ioredis was loaded by a SQLite app")
      // Port 1: nothing listens; the driver still opens (and would answer 503).
      const driver = await redisDriver({ url: "redis://127.0.0.1:1", timeoutMs: 50 })
      assert.equal(loaded(), true, "the check above can fail: a Redis driver does load ioredis")
      await assert.rejects(driver.get("x"), (error) => isKVError(error, "KV_UNAVAILABLE"))
      await driver.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

// After "loading", which must be the first to load the Redis client.
describe("a password on a real Redis", () => {
  // Generated passwords hold any character; "%" alone must be written %25.
  const PASSWORD = "Pw9s3cr/t?#@x%:é"
  let server: RedisServer
  before(async () => {
    server = await startRedis({ args: ["--requirepass", PASSWORD] })
  })
  after(() => server?.dispose())

  const url = (password: string, query = "") =>
    `redis://default:${password.replace(/%/g, "%25")}@127.0.0.1:${server.port}${query}`

  test("reaches Redis unencoded, whatever characters it holds", async () => {
    const store = kv({ name: "secret", driver: url(PASSWORD) })
    try {
      await store.put("k", "v")
      assert.equal(await (await store.get("k"))?.text(), "v")
    } finally {
      await store.close()
    }
  })

  for (const query of ["", "?cache=on"]) {
    test(`a wrong one${query} is KV_UNAVAILABLE, and no message or cause shows it`, async () => {
      const wrong = "Pw8wr0ng/x?y@z"
      const store = kv({ name: "secret", driver: url(wrong, query) })
      try {
        for (const operation of [() => store.put("k", "v"), () => store.get("k"), () => store.getMany(["k"])]) {
          await assert.rejects(operation(), (error: unknown) => {
            assert.ok(isKVError(error, "KV_UNAVAILABLE"), String(error))
            const written = inspect(error, { depth: Number.POSITIVE_INFINITY })
            assert.doesNotMatch(written, /Pw8|wr0ng/, written)
            return true
          })
        }
      } finally {
        await store.close()
      }
    })
  }

  test("an unreachable cluster with a password: no message or cause shows it", async () => {
    const store = kv({ name: "secret", driver: "redis+cluster://app:Pw7s3cr/et@127.0.0.1:1" })
    try {
      await assert.rejects(store.get("k"), (error: unknown) => {
        assert.ok(isKVError(error, "KV_UNAVAILABLE"), String(error))
        assert.doesNotMatch(inspect(error, { depth: Number.POSITIVE_INFINITY }), /Pw7|s3cr/)
        return true
      })
    } finally {
      await store.close()
    }
  })
})
