// `layeron kv export`, `import` and `copy` of the docs' sessions at scale,
// through the real binary: entries per second and the command's peak RSS
// (sampled from /proc), at a small and a large store, so that a flat memory
// shows as the same peak at both sizes.
//
//   node --import tsx bench/kv-move.ts [--entries 1000000] [--small 10000]
import { spawn } from "node:child_process"
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { RedisServer } from "@layeron/test-support/redis-server"
import { fillSessions } from "./sqlite-fill.ts"

const { values } = parseArgs({ options: { entries: { type: "string" }, small: { type: "string" } } })
const LARGE = Number(values.entries ?? 1_000_000)
const SMALL = Number(values.small ?? 10_000)
const root = fileURLToPath(new URL("..", import.meta.url))
const cli = join(root, "packages/cli/dist/cli.js")
const app = join(root, "examples/session-auth/app.ts")
const STORE = "auth/user-sessions"
const DAY = 24 * 60 * 60 * 1000

interface Run {
  seconds: number
  /** The most resident memory of the process's own (heap, stacks, buffers): RssAnon in /proc. */
  peakPrivateMiB: number
  /** The most resident memory in all, with the pages of files it maps (SQLite maps up to 256 MiB of its file). */
  peakRssMiB: number
}

/** Kilobytes of a field of /proc/<pid>/status, or 0 once the process is gone. */
function statusKiB(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return match ? Number(match[1]) : 0
  } catch {
    return 0
  }
}

/**
 * Runs `layeron kv ...` with stdin and stdout on files, as a shell's < and >
 * give them; samples its memory every 100 ms (VmHWM for the peak in all).
 */
function timed(
  args: string[],
  env: Record<string, string>,
  io: { stdin?: string; stdout?: string } = {},
): Promise<Run> {
  const stdin = io.stdin === undefined ? "ignore" : openSync(io.stdin, "r")
  const stdout = io.stdout === undefined ? "ignore" : openSync(io.stdout, "w")
  const started = performance.now()
  const child = spawn(process.execPath, [cli, "kv", ...args], {
    env: { ...process.env, ...env },
    stdio: [stdin, stdout, "pipe"],
  })
  const pid = child.pid as number
  let peakPrivate = 0
  let peakRss = 0
  const sample = setInterval(() => {
    peakPrivate = Math.max(peakPrivate, statusKiB(pid, "RssAnon"))
    peakRss = Math.max(peakRss, statusKiB(pid, "VmHWM"))
  }, 100)
  let stderr = ""
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    child.on("close", (code) => {
      clearInterval(sample)
      for (const fd of [stdin, stdout]) if (typeof fd === "number") closeSync(fd)
      if (code !== 0) reject(new Error(`layeron kv ${args.join(" ")} failed: ${stderr}`))
      else
        resolve({
          seconds: (performance.now() - started) / 1000,
          peakPrivateMiB: peakPrivate / 1024,
          peakRssMiB: peakRss / 1024,
        })
    })
  })
}

function row(what: string, entries: number, run: Run): string {
  const rate = Math.round(entries / run.seconds).toLocaleString("en")
  return `| ${what} | ${entries.toLocaleString("en")} | ${run.seconds.toFixed(1)} | ${rate} | ${run.peakPrivateMiB.toFixed(0)} | ${run.peakRssMiB.toFixed(0)} |`
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "layeron-kv-move-"))
  const redis = await new RedisServer().start()
  // Rows are printed as they come: a run on a busy machine can be read before it ends.
  console.log(
    `load average (1, 5, 15 min) at the start: ${loadavg()
      .map((value) => value.toFixed(1))
      .join(", ")}\n`,
  )
  console.log(
    "| command | entries | seconds | entries/s | peak private memory (MiB) | peak RSS with mapped files (MiB) |",
  )
  console.log("| --- | --: | --: | --: | --: | --: |")
  try {
    for (const entries of [SMALL, LARGE].filter((size) => size > 0)) {
      const source = join(dir, `source-${entries}.db`)
      const now = Date.now()
      // Half 24-hour sessions, half 30-day ones, as the docs' login makes them.
      fillSessions(source, entries, (index) => now + (index % 2 === 0 ? DAY : 30 * DAY))
      const dump = join(dir, `dump-${entries}.ndjson`)
      const from = { LAYERON_KV: `sqlite:${source}` }
      // The move the issue is about first: a busy machine may not leave time for the rest.
      const copy = ["copy", app, "--from", `sqlite:${source}`, "--to", redis.url]
      console.log(row("copy sqlite to redis", entries, await timed(copy, {})))
      await redis.cli("flushall")
      console.log(row("export sqlite", entries, await timed(["export", app, STORE], from, { stdout: dump })))
      const imported = { LAYERON_KV: `sqlite:${join(dir, `imported-${entries}.db`)}` }
      console.log(row("import sqlite", entries, await timed(["import", app, STORE], imported, { stdin: dump })))
      console.log(
        row("import redis", entries, await timed(["import", app, STORE], { LAYERON_KV: redis.url }, { stdin: dump })),
      )
      await redis.cli("flushall")
      console.log(`| (dump file: ${(statSync(dump).size / 1024 / 1024).toFixed(0)} MiB) | | | | | |`)
    }
  } finally {
    await redis.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
  console.log(
    `\nload average (1, 5, 15 min) at the end: ${loadavg()
      .map((value) => value.toFixed(1))
      .join(", ")}`,
  )
}

await main()
