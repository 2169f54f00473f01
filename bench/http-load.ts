// Starts a benchmark server in its own process and drives load at it with
// autocannon in another, so the server has a core to itself.
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

export { median } from "./stats.ts"

export interface LoadResult {
  requestsPerSecond: number
  /** Responses received in the run. */
  requests: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
}

export interface RunningServer {
  url: string
  /** A session token (sent as `authorization: Bearer <token>` unless the server announced other headers). */
  token: string
  /** The headers that carry the session, as the server announced them. */
  headers: Record<string, string>
  /** The server process, to read its CPU time. */
  pid: number
  stop(): Promise<void>
}

/** What a server prints on its first line of stdout once it listens and holds a valid session. */
export interface Announcement {
  url: string
  token: string
  headers?: Record<string, string>
}

const root = fileURLToPath(new URL("..", import.meta.url))

/** A server given on a command line, `name=script|A=1,B=2`: split at the first "=" and "|", so values may hold "=", ":" and "/". */
export function parseServerSpec(spec: string): { name: string; script: string; env: Record<string, string> } {
  const equals = spec.indexOf("=")
  const [script, envText = ""] = spec.slice(equals + 1).split("|") as [string, string?]
  const pairs = envText.split(",").filter((pair) => pair !== "")
  const env = Object.fromEntries(
    pairs.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  )
  return { name: spec.slice(0, equals), script, env }
}

/** `wrapper` runs node under another program (valgrind): its command and arguments, before node's. */
export async function startServer(
  script: string,
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
  wrapper: string[] = [],
): Promise<RunningServer> {
  const command = [...wrapper, process.execPath, ...nodeFlags, "--import", "tsx", script]
  const child = spawn(command[0] as string, command.slice(1), {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  })
  const line = await firstLine(child)
  const { url, token, headers } = JSON.parse(line) as Announcement
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  return {
    url,
    token,
    headers: headers ?? { authorization: `Bearer ${token}` },
    pid: child.pid as number,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
      await exited
    },
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.once("line", (line) => {
      lines.close()
      child.stdout?.resume()
      resolve(line)
    })
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before announcing itself`)))
  })
}

export async function load(
  server: RunningServer,
  /** For `seconds`, or until `amount` responses came back. */
  options: { path: string; connections: number } & ({ seconds: number } | { amount: number }),
): Promise<LoadResult> {
  const autocannon = fileURLToPath(new URL("./node_modules/autocannon/autocannon.js", import.meta.url))
  const args = [autocannon, "-j", "-c", String(options.connections)]
  if ("amount" in options) args.push("-a", String(options.amount))
  else args.push("-d", String(options.seconds))
  for (const [name, value] of Object.entries(server.headers)) args.push("-H", `${name}=${value}`)
  args.push(`${server.url}${options.path}`)
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] })
    let text = ""
    let errors = ""
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk
    })
    // Its progress bar goes here too: only the end is kept, for the message if it fails.
    child.stderr.on("data", (chunk: Buffer) => {
      errors = (errors + chunk).slice(-2000)
    })
    child.once("exit", (code) =>
      code === 0
        ? resolve(text)
        : reject(new Error(`autocannon exited with ${code} (${server.url}): ${errors.trim().slice(-500)}`)),
    )
  })
  const report = JSON.parse(output) as {
    requests: { average: number; total: number }
    duration: number
    latency: { p50: number; p99: number }
    non2xx: number
    errors: number
    timeouts: number
  }
  return {
    // Whole-run throughput: the per-second average drops the last partial second.
    requests: report.requests.total,
    requestsPerSecond: report.duration > 0 ? report.requests.total / report.duration : report.requests.average,
    p50Ms: report.latency.p50,
    p99Ms: report.latency.p99,
    non2xx: report.non2xx,
    errors: report.errors + report.timeouts,
  }
}

/** CPU seconds a process has used so far (Linux /proc), or NaN elsewhere. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return Number.NaN
  }
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100
