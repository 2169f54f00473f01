// Runs `layeron kv ...` as a real child process, as a user's shell would:
// stdin from a file (`< dump`) or nothing, stdout collected as bytes (a value
// or a dump may be binary), stderr as text.
import { spawn } from "node:child_process"
import { closeSync, openSync } from "node:fs"
import { CLI, REPO_ROOT } from "../../support/cli-process.ts"

export interface KvRun {
  code: number | null
  stdout: Buffer
  stderr: string
  /** stdout as text. */
  text: string
}

export interface KvRunOptions {
  /** LAYERON_KV and the like; the test runner's own environment is left out. */
  env?: Record<string, string>
  /** A file to read stdin from, as `< file` does. */
  stdinFile?: string
  cwd?: string
  timeoutMs?: number
}

export async function kvCli(args: string[], options: KvRunOptions = {}): Promise<KvRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env }
  for (const name of ["NODE_TEST_CONTEXT", "NODE_OPTIONS"]) delete env[name]
  if (options.env?.LAYERON_KV === undefined) delete env.LAYERON_KV
  const stdin = options.stdinFile === undefined ? "ignore" : openSync(options.stdinFile, "r")
  try {
    const child = spawn(process.execPath, [CLI, "kv", ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: [stdin, "pipe", "pipe"],
    })
    const out: Buffer[] = []
    let stderr = ""
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const timeoutMs = options.timeoutMs ?? 60_000
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    const code = await new Promise<number | null>((resolve) => child.on("close", (exit) => resolve(exit)))
    clearTimeout(timer)
    const stdout = Buffer.concat(out)
    return { code, stdout, stderr, text: stdout.toString("utf8") }
  } finally {
    if (typeof stdin === "number") closeSync(stdin)
  }
}

/** Fails with the run's output unless it exited 0. */
export function ok(run: KvRun): KvRun {
  if (run.code !== 0)
    throw new Error(`layeron kv exited ${run.code}\n--- stdout\n${run.text}\n--- stderr\n${run.stderr}`)
  return run
}
