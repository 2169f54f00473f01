// What the postgres driver keeps in the database, beyond the shared contract:
// its one table and schema mark, created once by processes starting
// together, tables it must not touch refused, keys as UTF-8 bytes, the sweep
// in batches by one process at a time, and an index it actually uses.
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { isKVError, kv } from "@layeron/modules"
import { postgresDriver } from "@layeron/modules/drivers/postgres"
import { useFakeClock } from "@layeron/modules/testing"
import { PostgresServer } from "@layeron/test-support/postgres-server"
import pg from "pg"
import { SWEEP_LOCK } from "../../../src/kv/drivers/postgres/schema.ts"
import { SQL } from "../../../src/kv/drivers/postgres/sql.ts"

let server: PostgresServer

before(async () => {
  server = await new PostgresServer().start()
})

after(async () => {
  await server?.dispose()
})

/** A database of its own on the server, and its URL. */
async function database(name: string): Promise<string> {
  await server.sql(`CREATE DATABASE ${name}`)
  return server.url.replace(/\/postgres$/, `/${name}`)
}

describe("the table", () => {
  test("is created on first use, once, by eight drivers (each on its own connections) opening at the same moment", async () => {
    const url = await database("fresh")
    const drivers = await Promise.all(Array.from({ length: 8 }, () => postgresDriver({ url })))
    try {
      await Promise.all(drivers.map((driver, index) => kv({ name: "s", driver }).put(`k${index}`, "v")))
      assert.equal(
        await server.sql("SELECT obj_description('layeron_kv'::regclass, 'pg_class')", "fresh"),
        "layeron storage.kv, schema 1",
      )
      assert.equal(await server.sql("SELECT count(*) FROM layeron_kv", "fresh"), "8")
      const columns = await server.sql(
        "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'layeron_kv'",
        "fresh",
      )
      assert.equal(
        columns,
        "key bytea, value bytea, content_type text, metadata text, expires_at double precision, version text",
      )
      assert.match(
        await server.sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'layeron_kv_expires_at'", "fresh"),
        /\(expires_at\) WHERE \(expires_at IS NOT NULL\)/,
      )
    } finally {
      await Promise.all(drivers.map((driver) => driver.close()))
    }
  })

  test("a table of the same name that Layeron did not make, or a newer schema, is refused in one line", async () => {
    const url = await database("foreign_table")
    await server.sql("CREATE TABLE layeron_kv (id int)", "foreign_table")
    await assert.rejects(postgresDriver({ url }), (error) => {
      assert.ok(isKVError(error, "KV_CONFIG_INVALID"), String(error))
      assert.match(error.message, /a table layeron_kv exists that Layeron did not create/)
      assert.doesNotMatch(error.message, /\n/)
      return true
    })
    await server.sql("COMMENT ON TABLE layeron_kv IS 'layeron storage.kv, schema 2'", "foreign_table")
    await assert.rejects(postgresDriver({ url }), /schema 2, made by a newer Layeron/)
    assert.equal(await server.sql("SELECT count(*) FROM layeron_kv", "foreign_table"), "0", "left as it was")
  })

  test("holds keys as their UTF-8 bytes, NUL and astral characters included, listed in byte order", async () => {
    const url = await database("bytes")
    const driver = await postgresDriver({ url })
    try {
      const store = kv({ name: "s", namespace: "n", driver })
      const keys = ["a\u0000b", "\u{1F600}", "\uFFFD", "z", "é"]
      for (const key of keys) await store.put(key, key)
      const listed = (await store.list()).keys.map((entry) => entry.name)
      const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
      assert.deepEqual(listed, byBytes)
      for (const key of keys) assert.equal(await (await store.get(key))?.text(), key)
      const hex = await server.sql("SELECT encode(key, 'hex') FROM layeron_kv ORDER BY key LIMIT 1", "bytes")
      assert.ok(hex.endsWith(Buffer.from("a\u0000b").toString("hex")), hex)
    } finally {
      await driver.close()
    }
  })
})

describe("connecting", () => {
  test("through the server's Unix socket, its folder percent-encoded as the host", async () => {
    const url = `postgres://postgres@${encodeURIComponent(server.dir)}:${server.port}/postgres`
    const driver = await postgresDriver({ url })
    try {
      const store = kv({ name: "socket", driver })
      await store.put("k", "over the socket")
      assert.equal(await (await store.get("k"))?.text(), "over the socket")
    } finally {
      await driver.close()
    }
  })

  test("a table dropped under a running app is created again by the next call", async () => {
    const url = await database("dropped")
    const driver = await postgresDriver({ url })
    try {
      const store = kv({ name: "s", driver })
      await store.put("k", "v")
      await server.sql("DROP TABLE layeron_kv", "dropped")
      await assert.rejects(store.get("k"), (error) => isKVError(error, "KV_DRIVER_ERROR"))
      await store.put("k", "again")
      assert.equal(await (await store.get("k"))?.text(), "again")
    } finally {
      await driver.close()
    }
  })
})

describe("the sweep", () => {
  test("removes expired rows in batches and keeps live ones; another process holding the lock makes it skip", async () => {
    const url = await database("sweep")
    const clock = useFakeClock()
    const driver = await postgresDriver({ url, sweepBatchSize: 7, clock })
    // Advisory locks are per database: the other process is on this one.
    const holder = new pg.Client({ ...server.connection, database: "sweep" })
    await holder.connect()
    try {
      const store = kv({ name: "s", driver, clock })
      for (let index = 0; index < 30; index++) await store.put(`short:${index}`, "v", { ttlSeconds: 60 })
      for (let index = 0; index < 5; index++) await store.put(`long:${index}`, "v", { ttlSeconds: 3600 })
      await store.put("forever", "v")
      clock.advanceSeconds(61)
      assert.equal((await store.list()).keys.length, 6, "expired rows are left out before any sweep")
      assert.equal(await store.get("short:0"), null)

      await holder.query("SELECT pg_advisory_lock($1)", [SWEEP_LOCK])
      assert.equal(await driver.sweep(), 0, "another process is sweeping")
      assert.equal(await server.sql("SELECT count(*) FROM layeron_kv", "sweep"), "36")
      await holder.query("SELECT pg_advisory_unlock($1)", [SWEEP_LOCK])

      assert.equal(await driver.sweep(), 30)
      assert.equal(await server.sql("SELECT count(*) FROM layeron_kv", "sweep"), "6")
      assert.equal(await driver.sweep(), 0)
    } finally {
      clock.restore()
      await holder.end()
      await driver.close()
    }
  })

  test("finds expired rows through the expiry index", async () => {
    const url = await database("plan")
    const driver = await postgresDriver({ url })
    try {
      await kv({ name: "s", driver }).put("k", "v")
      await server.sql(
        "INSERT INTO layeron_kv SELECT convert_to('x' || g, 'UTF8'), '\\x00', 't', NULL, g, NULL FROM generate_series(1, 20000) g; ANALYZE layeron_kv",
        "plan",
      )
      const sweep = SQL.sweep.text.replace("$1", "100").replace("$2", "10")
      const plan = await server.sql(`EXPLAIN ${sweep}`, "plan")
      assert.match(plan, /layeron_kv_expires_at/, plan)
    } finally {
      await driver.close()
    }
  })
})
