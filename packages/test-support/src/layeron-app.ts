// An app served by `layeron start` in a child process of its own, under the
// watchdog of watched-process.ts (so it never outlives the test): for tests
// that kill it, signal it, restart it on the same backend, or run several
// app processes on one backend.
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { spawnWatched } from "./watched-process.ts"

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..")
const cli = join(root, "packages/cli/dist/cli.js")

export interface LayeronApp {
  readonly url: string
  readonly port: number
  /** The server process itself, for signals. */
  readonly pid: number
  /** Its exit code (null when a signal ended it) and the signal, once it has exited. */
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** What it printed so far, stdout and stderr. */
  output(): string
  /** SIGTERM, then its exit. */
  stop(): Promise<void>
}

/** Starts `layeron start <entry>` on a free port with the given LAYERON_KV; resolves once it serves. */
export async function startLayeronApp(entry: string, kvUrl: string): Promise<LayeronApp> {
  const child = spawnWatched(process.execPath, [cli, "start", entry, "--port", "0", "--host", "127.0.0.1"], {
    cwd: root,
    env: { ...process.env, LAYERON_KV: kvUrl, NODE_OPTIONS: "" },
  })
  let output = ""
  // The watchdog shell reports the server's own exit code: `wait` returns it.
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.shell.once("exit", (code, signal) => resolve({ code, signal }))
  })
  child.shell.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString()
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`layeron start did not serve within 20 s:\n${output}`)), 20_000)
    child.shell.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = /serving .* at (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve((match[1] as string).replace(/\/$/, ""))
      }
    })
    void exit.then(() => {
      clearTimeout(timer)
      reject(new Error(`layeron start exited before serving:\n${output}`))
    })
  })
  const pid = await child.pid
  return {
    url,
    port: Number(new URL(url).port),
    pid,
    exit,
    output: () => output,
    stop: async () => {
      process.kill(pid, "SIGTERM")
      await exit
    },
  }
}
