// What one point read of the session row costs on SQLite, in instructions
// (valgrind's callgrind), read in each way better-sqlite3 offers and through
// Layeron's driver. better-sqlite3 builds a row through V8's API one column at
// a time, so the columns a read asks for set most of its cost; this is the
// measurement behind the driver's four-column point read (BENCHMARKS.md,
// session 7). Each way runs in its own process at N and 3N reads; the
// difference over 2N is the cost of one read, start-up and warm-up cancelled.
//   node --import tsx bench/sqlite-row-instructions.ts [N, default 100000] [ways whose name starts with this]
// Needs valgrind (apt-get install valgrind); about a minute a way.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import Database from "better-sqlite3"
import { BENCH_EMAIL, DAY_SECONDS, newSession } from "./servers/backend.ts"

const WAYS: Record<string, string> = {
  value: "better-sqlite3, the value column alone, pluck()ed (as the hand-written server reads)",
  "raw-1": "better-sqlite3, the value column alone, as a raw() row",
  "raw-2": "better-sqlite3, the value and its expiry, as a raw() row",
  "raw-5": "better-sqlite3, the five columns, as a raw() row (the driver's point read before session 7)",
  "object-5": "better-sqlite3, the five columns, as an object row",
  driver: "Layeron's driver: get() of a JSON row (its point read and the entry)",
  "driver-versioned": "Layeron's driver: get() of a JSON row with a version, as a strong store writes",
  "driver-text": "Layeron's driver: get() of a text/plain row",
  "driver-metadata": "Layeron's driver: get() of a JSON row with metadata (its expiry and metadata as one string)",
}
const KEY = "auth/user-sessions/session:bench"
const FIVE = "SELECT value, content_type, metadata, expires_at, version FROM layeron_kv WHERE key = ?"

function readerFor(way: string, path: string): () => unknown {
  // No sweep during a run: its thread's start would count as reads.
  const driver = sqliteDriver({ path, sweepIntervalMs: 3_600_000 })
  const contentType = way === "driver-text" ? "text/plain;charset=UTF-8" : "application/json"
  const text = JSON.stringify(newSession(BENCH_EMAIL))
  driver.put(KEY, {
    value: new TextEncoder().encode(text),
    text,
    contentType,
    metadata: way === "driver-metadata" ? JSON.stringify({ device: "laptop" }) : null,
    expiresAt: Date.now() + DAY_SECONDS * 1000,
    ...(way === "driver-versioned" ? { version: "0123456789abcdef.1" } : {}),
  })
  if (way.startsWith("driver")) return () => driver.get(KEY)
  const db = new Database(path)
  if (way === "value") return bind(db.prepare("SELECT value FROM layeron_kv WHERE key = ?").pluck())
  if (way === "raw-1") return bind(db.prepare("SELECT value FROM layeron_kv WHERE key = ?").raw())
  if (way === "raw-2") return bind(db.prepare("SELECT value, expires_at FROM layeron_kv WHERE key = ?").raw())
  if (way === "raw-5") return bind(db.prepare(FIVE).raw())
  if (way === "object-5") return bind(db.prepare(FIVE))
  throw new Error(`no way called ${way}: ${Object.keys(WAYS).join(", ")}`)
}

function bind(statement: Database.Statement<[string]>): () => unknown {
  return () => statement.get(KEY)
}

/** In the child: N reads, each checked to have found the row. */
function readMany(way: string, reads: number, path: string): void {
  const read = readerFor(way, path)
  for (let index = 0; index < reads; index++) {
    if (read() == null) throw new Error(`${way}: read ${index} found nothing`)
  }
}

function instructions(way: string, reads: number, dir: string): number {
  const out = join(dir, `cg.${way}.${reads}`)
  execFileSync(
    "valgrind",
    [
      "--tool=callgrind",
      "--smc-check=all-non-file",
      `--callgrind-out-file=${out}`,
      `--log-file=${out}.log`,
      process.execPath,
      // As bench/instructions.ts: no background threads, fixed seeds, so the two runs differ by the reads alone.
      "--predictable",
      "--random-seed=1",
      "--hash-seed=1",
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--child",
      way,
      String(reads),
      join(dir, `${way}.${reads}.db`),
    ],
    { stdio: "inherit" },
  )
  const summary = /^summary: (\d+)$/m.exec(readFileSync(out, "utf8"))
  if (summary === null) throw new Error(`no summary line in ${out}`)
  return Number(summary[1])
}

if (process.argv[2] === "--child") {
  readMany(process.argv[3] ?? "", Number(process.argv[4]), process.argv[5] ?? "")
} else {
  const reads = Number(process.argv[2] ?? 100_000)
  const dir = mkdtempSync(join(tmpdir(), "layeron-sqlite-row-"))
  try {
    console.log(`instructions a point read of the session row (callgrind; ${reads} and ${3 * reads} reads)`)
    const only = process.argv[3] ?? ""
    for (const [way, what] of Object.entries(WAYS).filter(([name]) => name.startsWith(only))) {
      const perRead = (instructions(way, 3 * reads, dir) - instructions(way, reads, dir)) / (2 * reads)
      console.log(`${Math.round(perRead).toLocaleString("en").padStart(8)}  ${way.padEnd(20)} ${what}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
