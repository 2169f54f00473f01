// What the SQLite driver promises beyond the shared contract: WAL, an indexed
// expiry column, a sweep in small batches that never holds the event loop
// (and never crashes the process), and one file shared by several processes.
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it, mock } from "node:test"
import { fileURLToPath } from "node:url"
import { kv } from "@layeron/modules"
import { SWEEP_SQL, sqliteDriver } from "@layeron/modules/drivers/sqlite"
import { FakeClock } from "@layeron/modules/testing"
import Database from "better-sqlite3"

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

  it("sweeps expired rows in batches, yielding to the event loop between them, and keeps live rows", async () => {
    const path = newPath()
    const clock = new FakeClock()
    const driver = sqliteDriver({ path, clock, sweepBatchSize: 500 })
    try {
      const store = kv({ name: "sweep", driver, clock })
      for (let index = 0; index < 5000; index++) await store.put(`dead:${index}`, "x".repeat(100), { ttlSeconds: 60 })
      for (let index = 0; index < 100; index++) await store.put(`live:${index}`, "v", { ttlSeconds: 3600 })
      clock.advanceSeconds(60)
      let timerRuns = 0
      const timer = setInterval(() => timerRuns++, 0)
      const sweeping = driver.sweep()
      assert.equal(countRows(path), 5100 - 500, "the first batch of 500 is gone, and the sweep has yielded")
      await nextTurn()
      const afterOneTurn = countRows(path)
      assert.ok(afterOneTurn >= 100 + 500 && afterOneTurn < 5100 - 500, `one more batch per turn: ${afterOneTurn}`)
      assert.equal((await store.get("live:7"))?.key, "live:7", "requests are served mid-sweep")
      const removed = await sweeping
      clearInterval(timer)
      assert.equal(removed, 5000)
      assert.ok(timerRuns >= 2, `a timer scheduled meanwhile fired during the sweep (${timerRuns} times)`)
      assert.equal(countRows(path), 100)
      assert.equal((await store.list()).keys.length, 100)
      assert.equal(await driver.sweep(), 0, "nothing left to sweep")
    } finally {
      driver.close()
    }
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
      await nextTurn()
      await nextTurn()
      assert.deepEqual(unhandled, [])
      assert.equal(countRows(path), 10, "the locked sweep removed nothing")
      assert.equal(await store.get("dead:0"), null, "expired rows stay hidden meanwhile")
      locker.exec("COMMIT")
      mock.timers.tick(1000)
      await nextTurn()
      assert.equal(countRows(path), 0, "the next sweep removed them")
      assert.deepEqual(unhandled, [])
    } finally {
      mock.timers.reset()
      process.off("unhandledRejection", onUnhandled)
      locker.close()
      driver.close()
    }
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
    const writer = fileURLToPath(new URL("./support/sqlite-writer.ts", import.meta.url))
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
})
