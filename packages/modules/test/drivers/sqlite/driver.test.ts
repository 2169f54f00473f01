// What the SQLite driver promises beyond the shared contract: WAL, an indexed
// expiry column, a sweep on a worker thread that never holds the event loop
// (and never crashes the process), and one file shared by several processes.
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it, mock } from "node:test"
import { fileURLToPath } from "node:url"
import { isKVError, kv, type StoredEntry } from "@layeron/modules"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import { FakeClock } from "@layeron/modules/testing"
import Database from "better-sqlite3"
import { sqliteError } from "../../../src/kv/drivers/sqlite/errors.ts"
import { SWEEP_SQL } from "../../../src/kv/drivers/sqlite/sql.ts"
import { countEventLoopTurns } from "../../support/event-loop-turns.ts"

const dir = mkdtempSync(join(tmpdir(), "layeron-sqlite-"))
after(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newPath = () => join(dir, `kv-${++files}.db`)

function countRows(path: string): number {
  const db = new Database(path, { readonly: true })
  try {
    return (db.prepare("SELECT count(*) AS n FROM layeron_kv").get() as { n: number }).n
  } finally {
    db.close()
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe("the sqlite driver", () => {
  it("runs in WAL mode, with an index on the expiry column that the sweep uses", () => {
    const path = newPath()
    const driver = sqliteDriver({ path })
    const db = new Database(path)
    try {
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal")
      const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index'").all() as {
        name: string
        sql: string
      }[]
      assert.ok(
        indexes.some((index) => index.name === "layeron_kv_expires_at" && /\(expires_at\)/.test(index.sql)),
        JSON.stringify(indexes),
      )
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${SWEEP_SQL}`).all(0, 500) as { detail: string }[]
      const details = plan.map((step) => step.detail)
      assert.ok(
        details.some((detail) => /USING (COVERING )?INDEX layeron_kv_expires_at/.test(detail)),
        `the sweep finds expired rows through the index: ${JSON.stringify(details)}`,
      )
      assert.ok(!details.some((detail) => /^SCAN layeron_kv$/.test(detail)), "and never scans the table")
    } finally {
      db.close()
      driver.close()
    }
  })

  it("sweeps expired rows on a worker thread while this thread serves reads and writes, and keeps live rows", async () => {
    const path = newPath()
    const clock = new FakeClock()
    const driver = sqliteDriver({ path, clock, sweepBatchSize: 50 })
    try {
      const store = kv({ name: "sweep", driver, clock })
      for (let index = 0; index < 5000; index++) await store.put(`dead:${index}`, "x".repeat(100), { ttlSeconds: 60 })
      for (let index = 0; index < 100; index++) await store.put(`live:${index}`, "v", { ttlSeconds: 3600 })
      clock.advanceSeconds(60)
      const sweeping = driver.sweep()
      assert.equal(driver.sweep(), sweeping, "one sweep at a time: a second call joins it")
      assert.equal(countRows(path), 5100, "nothing is removed on this thread")
      let turns = 0
      let served = 0
      let finished = false
      sweeping.finally(() => {
        finished = true
      })
      while (!finished) {
        // Reads and writes go on meanwhile; a write waits at most for one batch of the sweep.
        assert.equal((await store.get(`live:${turns % 100}`))?.key, `live:${turns % 100}`)
        await store.put(`new:${turns}`, "n", { ttlSeconds: 3600 })
        served++
        turns++
        await nextTurn()
      }
      const removed = await sweeping
      assert.equal(removed, 5000)
      assert.ok(served >= 2, `this thread served ${served} reads and writes while the sweep ran`)
      assert.equal(countRows(path), 100 + served)
      assert.equal((await store.list({ prefix: "live:" })).keys.length, 100)
      assert.equal(await driver.sweep(), 0, "nothing left to sweep")
    } finally {
      driver.close()
    }
  })

  it("sweeps a private in-memory database on this thread, yielding between batches", async () => {
    const clock = new FakeClock()
    const driver = sqliteDriver({ path: ":memory:", clock, sweepBatchSize: 100 })
    try {
      const store = kv({ name: "memory-sweep", driver, clock })
      for (let index = 0; index < 1000; index++) await store.put(`dead:${index}`, "x", { ttlSeconds: 60 })
      await store.put("live", "v", { ttlSeconds: 3600 })
      clock.advanceSeconds(60)
      const stopCounting = countEventLoopTurns()
      const removed = await driver.sweep()
      const turns = stopCounting()
      assert.equal(removed, 1000)
      // 1,000 rows in batches of 100: ten batches, nine yields between them at least.
      assert.ok(turns >= 9, `the event loop turned between batches (${turns} times)`)
      assert.deepEqual(
        (await store.list()).keys.map((key) => key.name),
        ["live"],
      )
    } finally {
      driver.close()
    }
  })

  it("stops a sweep in progress when the store closes", async () => {
    const path = newPath()
    const clock = new FakeClock()
    // One row per transaction: a sweep of 20,000 rows takes a while.
    const driver = sqliteDriver({ path, clock, sweepBatchSize: 1 })
    const store = kv({ name: "closing", driver, clock })
    const total = 20_000
    for (let index = 0; index < total; index++) await store.put(`dead:${index}`, "x", { ttlSeconds: 60 })
    clock.advanceSeconds(60)
    const sweeping = driver.sweep()
    while (countRows(path) === total) await new Promise((resolve) => setTimeout(resolve, 5))
    driver.close()
    const removed = await sweeping
    assert.ok(removed > 0 && removed < total, `the sweep stopped early: ${removed} of ${total} removed`)
    assert.equal(countRows(path), total - removed, "what it reported is what it removed")
  })

  it("sweeps on its own timer, and a sweep that fails is retried, never an unhandled rejection", async () => {
    const path = newPath()
    const clock = new FakeClock()
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on("unhandledRejection", onUnhandled)
    mock.timers.enable({ apis: ["setInterval"] })
    const driver = sqliteDriver({ path, clock, sweepIntervalMs: 1000, busyTimeoutMs: 1 })
    const locker = new Database(path)
    try {
      const store = kv({ name: "timer", driver, clock })
      for (let index = 0; index < 10; index++) await store.put(`dead:${index}`, "v", { ttlSeconds: 60 })
      clock.advanceSeconds(60)
      // Another process holds the write lock past the driver's timeout: this sweep fails.
      locker.exec("BEGIN IMMEDIATE")
      mock.timers.tick(1000)
      // driver.sweep() joins the sweep the timer started.
      await assert.rejects(driver.sweep(), (error) => isKVError(error, "KV_UNAVAILABLE"))
      await nextTurn()
      assert.deepEqual(unhandled, [])
      assert.equal(countRows(path), 10, "the locked sweep removed nothing")
      assert.equal(await store.get("dead:0"), null, "expired rows stay hidden meanwhile")
      locker.exec("COMMIT")
      mock.timers.tick(1000)
      assert.equal(await driver.sweep(), 10, "the next sweep removed them")
      assert.equal(countRows(path), 0)
      assert.deepEqual(unhandled, [])
    } finally {
      mock.timers.reset()
      process.off("unhandledRejection", onUnhandled)
      locker.close()
      driver.close()
    }
  })

  it("a lock another connection holds past the busy timeout is KV_UNAVAILABLE (503), and nothing changes", async () => {
    const path = newPath()
    const driver = sqliteDriver({ path, busyTimeoutMs: 20 })
    const locker = new Database(path)
    try {
      const store = kv({ name: "locked", driver })
      await store.put("k", "before")
      // Another process in the middle of a long write transaction.
      locker.exec("BEGIN IMMEDIATE")
      const writes: [string, () => Promise<void>][] = [
        ["put", () => store.put("k", "after")],
        ["put of a new key", () => store.put("new", "v")],
        ["delete", () => store.delete("k")],
      ]
      for (const [name, write] of writes) {
        await assert.rejects(write(), (error: unknown) => {
          assert.ok(isKVError(error, "KV_UNAVAILABLE"), `${name}: ${String(error)}`)
          assert.equal(error.status, 503)
          assert.match(error.message, /^storage\.kv\(default\/locked\) key "(k|new)": the SQLite store at .* is locked/)
          let cause: unknown = error
          while (cause instanceof Error && cause.cause !== undefined) cause = cause.cause
          assert.equal((cause as { code?: unknown }).code, "SQLITE_BUSY", "the cause is SQLite's own error")
          return true
        })
      }
      // WAL: reads go on past a writer.
      assert.equal(await (await store.get("k"))?.text(), "before")
      assert.equal((await store.list()).keys.length, 1)
      locker.exec("ROLLBACK")
      await store.put("k", "after")
      assert.equal(await (await store.get("k"))?.text(), "after", "the store works again once the lock is gone")
    } finally {
      locker.close()
      driver.close()
    }
  })

  it("maps every lock code, extended ones too, to KV_UNAVAILABLE, and other failures to KV_DRIVER_ERROR", () => {
    const locks = ["SQLITE_BUSY", "SQLITE_BUSY_RECOVERY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_TIMEOUT"]
    locks.push("SQLITE_LOCKED", "SQLITE_LOCKED_SHAREDCACHE", "SQLITE_LOCKED_VTAB")
    for (const code of locks) {
      const error = sqliteError(new Database.SqliteError("database is locked", code), "/x/kv.db", "get")
      assert.equal(error.code, "KV_UNAVAILABLE", code)
      assert.equal(error.status, 503, code)
    }
    for (const code of ["SQLITE_CORRUPT", "SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_BUSYNESS", "SQLITE_IOERR"]) {
      assert.equal(sqliteError(new Database.SqliteError("no", code), "/x/kv.db", "get").code, "KV_DRIVER_ERROR", code)
    }
    assert.equal(sqliteError(new TypeError("a bug"), "/x/kv.db", "get").code, "KV_DRIVER_ERROR")
  })

  it("does not grow with dead entries: space freed by the sweep is reused", async () => {
    const path = newPath()
    const clock = new FakeClock()
    const driver = sqliteDriver({ path, clock })
    const filesSize = () => statSync(path).size + statSync(`${path}-wal`).size
    try {
      const store = kv({ name: "growth", driver, clock, ttlSeconds: 60 })
      const fill = async (round: number) => {
        for (let index = 0; index < 2000; index++) await store.put(`s:${round}:${index}`, "x".repeat(200))
      }
      await fill(0)
      clock.advanceSeconds(61)
      await driver.sweep()
      const first = filesSize()
      for (let round = 1; round <= 4; round++) {
        await fill(round)
        clock.advanceSeconds(61)
        await driver.sweep()
      }
      const later = filesSize()
      assert.equal(countRows(path), 0)
      assert.ok(
        later <= first * 1.5,
        `after four more generations the files are ${later} bytes, after the first ${first}`,
      )
    } finally {
      driver.close()
    }
  })

  it("keeps data across a reopen", async () => {
    const path = newPath()
    const clock = new FakeClock()
    const firstDriver = sqliteDriver({ path })
    await kv({ name: "reopen", driver: firstDriver, clock }).put("k", "survives", {
      ttlSeconds: 3600,
      metadata: { a: 1 },
      contentType: "text/x-test",
    })
    firstDriver.close()
    const secondDriver = sqliteDriver({ path })
    try {
      const handle = await kv({ name: "reopen", driver: secondDriver, clock }).get("k")
      assert.equal(await handle?.text(), "survives")
      assert.equal(handle?.contentType, "text/x-test")
      assert.deepEqual(handle?.metadata, { a: 1 })
      assert.equal(handle?.expiresAt?.getTime(), clock.now() + 3600 * 1000)
    } finally {
      secondDriver.close()
    }
  })

  it("lets two processes write one file at once, losing nothing and never failing busy", async () => {
    const path = newPath()
    const writer = fileURLToPath(new URL("../../support/sqlite-writer.ts", import.meta.url))
    const run = (name: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", writer, path, name, "1500"], {
          stdio: ["ignore", "ignore", "pipe"],
        })
        let stderr = ""
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk
        })
        child.on("exit", (code) => resolve({ code, stderr }))
      })
    const results = await Promise.all([run("a"), run("b")])
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr)
      assert.doesNotMatch(result.stderr, /SQLITE_BUSY|database is locked/)
    }
    const driver = sqliteDriver({ path })
    try {
      const store = kv({ name: "shared", driver })
      for (const name of ["a", "b"]) {
        for (const index of [0, 749, 1499]) {
          assert.equal(await (await store.get(`${name}:${index}`))?.text(), `${index}`)
        }
      }
      assert.equal(countRows(path), 3000 + 1, "every key of both writers, and the one they both wrote")
      assert.match((await (await store.get("both"))?.text()) ?? "", /^[ab]:1499$/, "the last write of either")
    } finally {
      driver.close()
    }
  })

  it("runs every atomic operation under the write lock: held past the busy timeout it is KV_UNAVAILABLE, never SQLITE_BUSY", async () => {
    const path = newPath()
    const driver = sqliteDriver({ path, busyTimeoutMs: 20 })
    const store = kv({ name: "busy", driver, consistency: "strong" })
    await store.put("k", "1")
    const version = (await store.get("k"))?.version as string
    const holder = new Database(path)
    holder.exec("BEGIN IMMEDIATE")
    try {
      const calls: [string, () => Promise<unknown>][] = [
        ["add", () => store.add("new", "v")],
        ["increment", () => store.increment("k")],
        ["getAndDelete", () => store.getAndDelete("k")],
        ["put with ifVersion", () => store.put("k", "2", { ifVersion: version })],
        ["delete with ifVersion", () => store.delete("k", { ifVersion: version })],
        ["update", () => store.update("k", () => "3")],
      ]
      for (const [what, call] of calls) {
        await assert.rejects(
          call,
          (error) =>
            isKVError(error, "KV_UNAVAILABLE") &&
            error.status === 503 &&
            error.message.includes('storage.kv(default/busy) key "') &&
            /locked by another connection/.test(error.message),
          what,
        )
      }
    } finally {
      holder.exec("ROLLBACK")
      holder.close()
    }
    assert.equal(await store.increment("k"), 2, "works again once the lock is released")
    driver.close()
  })

  it('opens a file made before versions, adding the column; its entries have the version "" until written', async () => {
    const path = newPath()
    const old = new Database(path)
    old.exec(`CREATE TABLE layeron_kv (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL, content_type TEXT NOT NULL,
      metadata TEXT, expires_at INTEGER) WITHOUT ROWID`)
    old
      .prepare("INSERT INTO layeron_kv VALUES (?, ?, ?, NULL, NULL)")
      .run("default/old/k", Buffer.from("41"), "text/plain;charset=UTF-8")
    old.close()
    const drivers = [sqliteDriver({ path }), sqliteDriver({ path })]
    try {
      const store = kv({ name: "old", driver: drivers[0], consistency: "strong" })
      const handle = await store.get("k")
      assert.equal(await handle?.text(), "41")
      assert.equal(handle?.version, "")
      await assert.rejects(store.put("k", "x", { ifVersion: "other" }), (error) => isKVError(error, "KV_CONFLICT"))
      assert.equal(await store.increment("k"), 42)
      const version = (await store.get("k"))?.version
      assert.ok(version !== "" && typeof version === "string", "a write gives it a version")
    } finally {
      for (const driver of drivers) driver.close()
    }
  })
})

describe("the sqlite driver's values", () => {
  /** Each key's value and the storage class SQLite gives it, read from the file itself. */
  function storedAs(path: string): Record<string, { type: string; value: unknown }> {
    const db = new Database(path, { readonly: true })
    try {
      const rows = db.prepare("SELECT key, typeof(value) AS type, value FROM layeron_kv").all() as {
        key: string
        type: string
        value: unknown
      }[]
      return Object.fromEntries(
        rows.map(({ key, type, value }) => [key.slice(key.lastIndexOf("/") + 1), { type, value }]),
      )
    } finally {
      db.close()
    }
  }

  it("keeps strings as TEXT, exactly, and bytes as a BLOB; every reader gives back what was written", async () => {
    const path = newPath()
    const driver = sqliteDriver({ path })
    const store = kv({ name: "values", namespace: "test", driver })
    const strong = kv({ name: "strong", namespace: "test", driver, consistency: "strong" })
    const texts: Record<string, string> = {
      plain: JSON.stringify({ userId: "usr_1", roles: ["admin"] }),
      bom: "\uFEFF{}",
      nul: "a\u0000b",
      astral: "😀 ünïcödé ✓",
      empty: "",
    }
    try {
      for (const [key, text] of Object.entries(texts)) await store.put(key, text)
      await store.put("typed", texts.plain as string, { contentType: "application/json", metadata: { n: 1 } })
      await store.put("bytes", new Uint8Array([0x7b, 0xff, 0x00, 0x7d]))
      await strong.put("token", "one-time")
      await strong.increment("counter", 5)
      const file = storedAs(path)
      for (const [key, text] of Object.entries(texts)) assert.deepEqual(file[key], { type: "text", value: text }, key)
      assert.equal(file.typed?.type, "text")
      assert.equal(file.bytes?.type, "blob")
      assert.equal(file.token?.type, "text")
      for (const [key, text] of Object.entries(texts)) {
        const handle = await store.get(key)
        assert.equal(await handle?.text(), text, key)
        assert.deepEqual(await handle?.bytes(), new Uint8Array(Buffer.from(text, "utf8")), key)
        assert.equal(handle?.size, Buffer.byteLength(text), key)
      }
      assert.deepEqual(await (await store.get("typed"))?.json(), JSON.parse(texts.plain as string))
      assert.deepEqual([...((await (await store.get("bytes"))?.bytes()) ?? [])], [0x7b, 0xff, 0x00, 0x7d])
      const many = await store.getMany(["plain", "bytes"])
      assert.equal(many.get("plain")?.size, Buffer.byteLength(texts.plain as string))
      assert.equal(many.get("bytes")?.size, 4)
      assert.equal(await (await strong.getAndDelete("token"))?.text(), "one-time")
      assert.equal(await strong.increment("counter", 2), 7)
      // A counter written as text counts on: increment reads its bytes.
      await strong.put("text-counter", "41")
      assert.equal(storedAs(path)["text-counter"]?.type, "text")
      assert.equal(await strong.increment("text-counter"), 42)
    } finally {
      await store.close()
      await strong.close()
      await driver.close()
    }
  })

  it("reads back every column whatever the row's shape: the point read's two columns lose nothing", () => {
    const driver = sqliteDriver({ path: ":memory:" })
    const bytes = (text: string) => new Uint8Array(Buffer.from(text, "utf8"))
    const later = Date.now() + 3_600_000
    // A row with no metadata comes back with its expiry as a number; a row with metadata brings
    // its expiry's digits, a space and the metadata as one string, hostile characters included.
    const shapes: Record<string, StoredEntry> = {
      json: {
        value: bytes('{"a":1}'),
        text: '{"a":1}',
        contentType: "application/json",
        metadata: null,
        expiresAt: later,
      },
      "json, no expiry": {
        value: bytes("[]"),
        text: "[]",
        contentType: "application/json",
        metadata: null,
        expiresAt: null,
      },
      "json as bytes": { value: bytes("{}"), contentType: "application/json", metadata: null, expiresAt: later },
      "json with metadata": {
        value: bytes("1"),
        text: "1",
        contentType: "application/json",
        metadata: JSON.stringify({ quote: '"\\', nul: "\u0000", astral: "😀", line: "a\nb" }),
        expiresAt: later,
      },
      "json with a version": {
        value: bytes("2"),
        text: "2",
        contentType: "application/json",
        metadata: null,
        expiresAt: later,
        version: "0f.1z",
      },
      "an empty version": {
        value: bytes("3"),
        text: "3",
        contentType: "application/json",
        metadata: null,
        expiresAt: later,
        version: "",
      },
      text: {
        value: bytes("tok"),
        text: "tok",
        contentType: "text/plain;charset=UTF-8",
        metadata: null,
        expiresAt: later,
      },
      "a hostile content type": {
        value: bytes("x"),
        text: "x",
        contentType: 'a/b; q="\\\t"\tÿ\u0080 ',
        metadata: null,
        expiresAt: later,
      },
      "metadata with raw control characters, which JSON would escape": {
        value: bytes("z"),
        text: "z",
        contentType: "application/json",
        metadata: '\u0000\n\r\t\u001f\u007f\u2028\\"',
        expiresAt: later,
      },
      "metadata that starts and ends with spaces, an expiry of 0": {
        value: bytes("s"),
        text: "s",
        contentType: "application/json",
        metadata: "  { } ",
        expiresAt: 0,
      },
      "empty metadata, no expiry": {
        value: bytes("e"),
        text: "e",
        contentType: "application/json",
        metadata: "",
        expiresAt: null,
      },
      "metadata, no expiry, a version": {
        value: bytes("y"),
        text: "y",
        contentType: "text/plain;charset=UTF-8",
        metadata: '"only a string"',
        expiresAt: null,
        version: "v",
      },
      "metadata that is JSON null, the latest expiry": {
        value: bytes("x"),
        text: "x",
        contentType: "application/json",
        metadata: "null",
        expiresAt: Number.MAX_SAFE_INTEGER,
      },
      "bytes, no expiry": {
        value: new Uint8Array([0, 0xff, 0x7b]),
        contentType: "application/octet-stream",
        metadata: null,
        expiresAt: null,
      },
    }
    try {
      for (const [key, entry] of Object.entries(shapes)) driver.put(key, entry)
      for (const [key, entry] of Object.entries(shapes)) {
        const read = driver.get(key)
        assert.ok(read !== null, key)
        assert.deepEqual(
          {
            value: [...read.value],
            contentType: read.contentType,
            metadata: read.metadata,
            expiresAt: read.expiresAt,
            version: read.version,
          },
          {
            value: [...entry.value],
            contentType: entry.contentType,
            metadata: entry.metadata,
            expiresAt: entry.expiresAt,
            version: entry.version,
          },
          key,
        )
        assert.equal(read.text, entry.text, `${key}: a TEXT value comes back as its string`)
      }
      assert.equal(driver.get("absent"), null)
    } finally {
      driver.close()
    }
  })

  it("reads a string a file stored as a BLOB, as files written before TEXT values hold them", async () => {
    const path = newPath()
    const driver = sqliteDriver({ path })
    const store = kv({ name: "values", namespace: "test", driver })
    try {
      await store.put("old", "written before")
      const db = new Database(path)
      db.prepare("UPDATE layeron_kv SET value = ? WHERE key = ?").run(Buffer.from("written before"), "test/values/old")
      db.close()
      assert.equal(storedAs(path).old?.type, "blob")
      const handle = await store.get("old")
      assert.equal(await handle?.text(), "written before")
      assert.equal(handle?.size, 14)
    } finally {
      await store.close()
      await driver.close()
    }
  })
})
