// Latency in microseconds, from wrk (a C load generator: apt-get install wrk).
// autocannon records latencies in whole milliseconds, so a p99 under 1 ms reads
// 0 or 1 there; wrk keeps them in µs, and as a lighter client it takes less of
// the two cores from the server it measures.
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { RunningServer } from "./http-load.ts"

export interface LatencyResult {
  requestsPerSecond: number
  requests: number
  p50Us: number
  p90Us: number
  p99Us: number
  p999Us: number
  non2xx: number
  errors: number
}

/** Whether wrk is on the PATH; the latency phase is skipped (and says so) without it. */
export function wrkAvailable(): boolean {
  return spawnSync("wrk", ["--version"], { stdio: "ignore" }).error === undefined
}

// wrk's done() hook: one JSON line with the whole run's figures (latencies in µs).
const REPORT_SCRIPT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests":%d,"durationUs":%d,"non2xx":%d,"errors":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"p999Us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
`

let scriptPath: string | undefined

/** Loads `server` with wrk (one thread, `connections` kept busy: a closed loop, as autocannon's). */
export async function wrkLoad(
  server: RunningServer,
  options: { path: string; seconds: number; connections: number },
): Promise<LatencyResult> {
  if (scriptPath === undefined) {
    scriptPath = join(mkdtempSync(join(tmpdir(), "layeron-wrk-")), "report.lua")
    writeFileSync(scriptPath, REPORT_SCRIPT)
  }
  const args = ["-t1", `-c${options.connections}`, `-d${options.seconds}s`, "-s", scriptPath]
  for (const [name, value] of Object.entries(server.headers)) args.push("-H", `${name}: ${value}`)
  args.push(`${server.url}${options.path}`)
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] })
    let text = ""
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk
    })
    child.stderr.on("data", (chunk: Buffer) => {
      text += chunk
    })
    child.once("error", reject)
    child.once("exit", (code) =>
      code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code} (${server.url}): ${text.slice(-500)}`)),
    )
  })
  const line = output.split("\n").find((candidate) => candidate.startsWith('{"requests"'))
  if (line === undefined) throw new Error(`wrk printed no report (${server.url}): ${output.slice(-500)}`)
  const report = JSON.parse(line) as Omit<LatencyResult, "requestsPerSecond"> & { durationUs: number }
  return {
    requestsPerSecond: report.requests / (report.durationUs / 1e6),
    requests: report.requests,
    p50Us: report.p50Us,
    p90Us: report.p90Us,
    p99Us: report.p99Us,
    p999Us: report.p999Us,
    non2xx: report.non2xx,
    errors: report.errors,
  }
}
