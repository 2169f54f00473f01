// `layeron kv export`, `import` and `copy` of the docs' sessions at scale,
// through the real binary: entries per second and the command's peak RSS
// (from /usr/bin/time), at a small and a large store, so that a flat memory
// shows as the same peak at both sizes.
//
//   node --import tsx bench/kv-move.ts [--entries 1000000] [--small 10000]
import { spawn } from "node:child_process"
import { closeSync, mkdtempSync, openSync, rmSync, statSync } from "node:fs"
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
  peakMiB: number
}

/** Runs `layeron kv ...` under /usr/bin/time, stdin and stdout on files as a shell's < and > give them. */
function timed(
  args: string[],
  env: Record<string, string>,
  io: { stdin?: string; stdout?: string } = {},
): Promise<Run> {
  const stdin = io.stdin === undefined ? "ignore" : openSync(io.stdin, "r")
  const stdout = io.stdout === undefined ? "ignore" : openSync(io.stdout, "w")
  const child = spawn("/usr/bin/time", ["-f", "TIME %e %M", process.execPath, cli, "kv", ...args], {
    env: { ...process.env, ...env },
    stdio: [stdin, stdout, "pipe"],
  })
  let stderr = ""
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    child.on("close", (code) => {
      for (const fd of [stdin, stdout]) if (typeof fd === "number") closeSync(fd)
      const match = /TIME ([\d.]+) (\d+)/.exec(stderr)
      if (code !== 0 || match === null) reject(new Error(`layeron kv ${args.join(" ")} failed: ${stderr}`))
      else resolve({ seconds: Number(match[1]), peakMiB: Number(match[2]) / 1024 })
    })
  })
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "layeron-kv-move-"))
  const redis = await new RedisServer().start()
  const load = [loadavg()[0] as number]
  const rows: string[] = []
  try {
    for (const entries of [SMALL, LARGE]) {
      const source = join(dir, `source-${entries}.db`)
      const now = Date.now()
      // Half 24-hour sessions, half 30-day ones, as the docs' login makes them.
      fillSessions(source, entries, (index) => now + (index % 2 === 0 ? DAY : 30 * DAY))
      const dump = join(dir, `dump-${entries}.ndjson`)
      const sqlite = (name: string) => ({ LAYERON_KV: `sqlite:${join(dir, `${name}-${entries}.db`)}` })
      const measured: [string, Run][] = []
      measured.push([
        "export sqlite",
        await timed(["export", app, STORE], { LAYERON_KV: `sqlite:${source}` }, { stdout: dump }),
      ])
      measured.push(["import sqlite", await timed(["import", app, STORE], sqlite("imported"), { stdin: dump })])
      measured.push([
        "copy sqlite to redis",
        await timed(["copy", app, "--from", `sqlite:${source}`, "--to", redis.url], {}),
      ])
      await redis.cli("flushall")
      measured.push(["import redis", await timed(["import", app, STORE], { LAYERON_KV: redis.url }, { stdin: dump })])
      await redis.cli("flushall")
      const dumpMiB = statSync(dump).size / 1024 / 1024
      for (const [what, run] of measured) {
        const rate = Math.round(entries / run.seconds)
        rows.push(
          `| ${what} | ${entries.toLocaleString("en")} | ${run.seconds.toFixed(1)} | ${rate.toLocaleString("en")} | ${run.peakMiB.toFixed(0)} |`,
        )
      }
      rows.push(`| (dump file) | ${entries.toLocaleString("en")} | | | ${dumpMiB.toFixed(0)} MiB on disk |`)
      load.push(loadavg()[0] as number)
    }
  } finally {
    await redis.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
  console.log(`load average (1 min) during the run: ${load.map((value) => value.toFixed(1)).join(", ")}\n`)
  console.log("| command | entries | seconds | entries/s | peak RSS (MiB) |")
  console.log("| --- | --: | --: | --: | --: |")
  for (const row of rows) console.log(row)
}

await main()
