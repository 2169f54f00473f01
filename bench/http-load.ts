// Starts a benchmark server in its own process and drives load at it with
// autocannon in another, so the server has a core to itself.
import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

export interface LoadResult {
  requestsPerSecond: number
  p99Ms: number
  non2xx: number
}

export interface RunningServer {
  url: string
  token: string
  stop(): Promise<void>
}

const root = fileURLToPath(new URL("..", import.meta.url))

export async function startServer(script: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  })
  const line = await firstLine(child)
  const { url, token } = JSON.parse(line) as { url: string; token: string }
  return {
    url,
    token,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
      }),
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.once("line", (line) => {
      lines.close()
      resolve(line)
    })
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before announcing itself`)))
  })
}

export async function load(
  server: RunningServer,
  options: { path: string; seconds: number; connections: number },
): Promise<LoadResult> {
  const autocannon = fileURLToPath(new URL("../node_modules/autocannon/autocannon.js", import.meta.url))
  const args = [autocannon, "-j", "-c", String(options.connections), "-d", String(options.seconds)]
  args.push("-H", `authorization=Bearer ${server.token}`, `${server.url}${options.path}`)
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "ignore"] })
    let text = ""
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk
    })
    child.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`autocannon exited with ${code}`))))
  })
  const report = JSON.parse(output) as { requests: { average: number }; latency: { p99: number }; non2xx: number }
  return { requestsPerSecond: report.requests.average, p99Ms: report.latency.p99, non2xx: report.non2xx }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}
