// What the SQLite driver promises beyond the shared contract: WAL, an indexed
// expiry column, a sweep in small batches that never holds the event loop,
// and one file shared by several processes.
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { fileURLToPath } from "node:url"
import { kv } from "@layeron/modules"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import { FakeClock } from "@layeron/modules/testing"
import Database from "better-sqlite3"

const dir = mkdtempSync(join(tmpdir(), "layeron-sqlite-"))
after(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const newPath = () => join(dir, `kv-${++files}.db`)

describe("the sqlite driver", () => {
  it("runs in WAL mode, with an index on the expiry column that the sweep uses", () => {
    const path = newPath()
    const driver = sqliteDriver({ path })
    try {
      const db = new Database(path, { readonly: true })
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal")
      const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index'").all() as { sql: string }[]
      assert.ok(
        indexes.some((index) => /\(expires_at\)/.test(index.sql)),
        "an index on expires_at",
      )
      const plan = db
        .prepare("EXPLAIN QUERY PLAN SELECT key FROM layeron_kv WHERE expires_at <= ? ORDER BY expires_at LIMIT ?")
        .all(0, 10) as { detail: string }[]
      assert.ok(
        plan.some((step) => /USING (COVERING )?INDEX layeron_kv_expires_at/.test(step.detail)),
        JSON.stringify(plan),
      )
      db.close()
    } finally {
      driver.close()
    }
  })

  it("sweeps expired rows in small batches, yielding between them, and keeps live rows", async () => {
    const path = newPath()
    const clock = new FakeClock()
    const driver = sqliteDriver({ path, clock, sweepBatchSize: 500 })
    try {
      const store = kv({ name: "sweep", driver, clock })
      for (let index = 0; index < 5000; index++) await store.put(`dead:${index}`, "x".repeat(100), { ttlSeconds: 60 })
      for (let index = 0; index < 100; index++) await store.put(`live:${index}`, "v", { ttlSeconds: 3600 })
      clock.advanceSeconds(61)
      let timerTurns = 0
      const ticker = setInterval(() => timerTurns++, 0)
      const removed = await driver.sweep()
      clearInterval(ticker)
      assert.equal(removed, 5000)
      assert.ok(timerTurns >= 3, `other work ran during the sweep (${timerTurns} timer turns)`)
      assert.equal((await store.list()).keys.length, 100)
      const db = new Database(path, { readonly: true })
      assert.equal((db.prepare("SELECT count(*) AS n FROM layeron_kv").get() as { n: number }).n, 100)
      db.close()
    } finally {
      driver.close()
    }
  })

  it("does not grow with dead entries: space freed by the sweep is reused", async () => {
    const path = newPath()
    const clock = new FakeClock()
    const driver = sqliteDriver({ path, clock })
    try {
      const store = kv({ name: "growth", driver, clock, ttlSeconds: 60 })
      const fill = async (round: number) => {
        for (let index = 0; index < 2000; index++) await store.put(`s:${round}:${index}`, "x".repeat(200))
      }
      await fill(0)
      clock.advanceSeconds(61)
      await driver.sweep()
      const size = statSync(path).size + statSync(`${path}-wal`).size
      for (let round = 1; round <= 3; round++) {
        await fill(round)
        clock.advanceSeconds(61)
        await driver.sweep()
      }
      const after = statSync(path).size + statSync(`${path}-wal`).size
      assert.ok(after <= size * 1.5, `after three more generations the files are ${after} bytes, first ${size}`)
    } finally {
      driver.close()
    }
  })

  it("keeps data across a reopen", async () => {
    const path = newPath()
    const firstDriver = sqliteDriver({ path })
    await kv({ name: "reopen", driver: firstDriver }).put("k", "survives")
    firstDriver.close()
    const secondDriver = sqliteDriver({ path })
    assert.equal(await (await kv({ name: "reopen", driver: secondDriver }).get("k"))?.text(), "survives")
    secondDriver.close()
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
    for (const result of results) assert.equal(result.code, 0, result.stderr)
    const driver = sqliteDriver({ path })
    try {
      const store = kv({ name: "shared", driver })
      for (const name of ["a", "b"]) {
        for (const index of [0, 749, 1499])
          assert.equal(await (await store.get(`${name}:${index}`))?.text(), `${index}`)
      }
      const db = new Database(path, { readonly: true })
      assert.equal((db.prepare("SELECT count(*) AS n FROM layeron_kv").get() as { n: number }).n, 3000)
      db.close()
    } finally {
      driver.close()
    }
  })
})
