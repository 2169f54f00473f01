// The sessions example served by `layeron start` in a child process of its
// own (under the watchdog of @layeron/test-support, so it never outlives the
// test), for tests that need several app processes on one backend.
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { spawnWatched } from "@layeron/test-support/watched-process"

const root = join(dirname(fileURLToPath(import.meta.url)), "../../../..")
const cli = join(root, "packages/cli/dist/cli.js")
const entry = join(root, "examples/sessions/app.ts")

export interface AppProcess {
  readonly url: string
  readonly pid: number
  readonly exit: Promise<unknown>
  output(): string
  stop(): Promise<void>
}

/** Starts `layeron start app.ts` on a free port with the given LAYERON_KV; resolves once it serves. */
export async function startApp(kvUrl: string): Promise<AppProcess> {
  const child = spawnWatched(process.execPath, [cli, "start", entry, "--port", "0", "--host", "127.0.0.1"], {
    cwd: root,
    env: { ...process.env, LAYERON_KV: kvUrl, NODE_OPTIONS: "" },
  })
  let output = ""
  const exit = new Promise((resolve) => child.shell.once("exit", resolve))
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
    pid,
    exit,
    output: () => output,
    stop: async () => {
      process.kill(pid, "SIGTERM")
      await exit
    },
  }
}
