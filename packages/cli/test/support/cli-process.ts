// Runs the built `layeron` command as a real process, for tests: output is
// collected, waited on by polling with a deadline, and every process group
// started here can be killed from an `after` hook whatever happened.
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url))
export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url))
export const EXAMPLE_APP = fileURLToPath(new URL("../../../../examples/session-auth/app.ts", import.meta.url))
export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

const started = new Set<CliProcess>()

export class CliProcess {
  stdout = ""
  stderr = ""
  exit: Exit | undefined
  readonly child: ChildProcess
  readonly exited: Promise<Exit>

  constructor(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}) {
    // Its own process group, so that killing it also ends what it spawned (tsx, the app under `dev`).
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: cliEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    })
    started.add(this)
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk
    })
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk
    })
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.exit = { code, signal }
        resolve(this.exit)
      })
    })
  }

  get pid(): number {
    return this.child.pid as number
  }

  /** Resolves once `pattern` matches stdout + stderr `times` times; fails with the output on timeout or exit. */
  async waitFor(pattern: RegExp, options: { times?: number; timeoutMs?: number } = {}): Promise<RegExpExecArray> {
    const { times = 1, timeoutMs = 15_000 } = options
    const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`)
    return poll(
      `${pattern} x${times}`,
      timeoutMs,
      () => {
        const matches = [...`${this.stdout}${this.stderr}`.matchAll(global)]
        if (matches.length >= times) return matches[times - 1] as RegExpExecArray
        if (this.exit) throw new Error(`exited (${JSON.stringify(this.exit)}) before ${pattern}\n${this.output()}`)
        return undefined
      },
      () => this.output(),
    )
  }

  /** The URL from the latest "serving ... at <url>" line, the `times`-th one to appear. */
  async servingUrl(times = 1): Promise<string> {
    const match = await this.waitFor(/serving \S+ at (http:\/\/\S+)/, { times })
    return match[1] as string
  }

  /** Waits for the process to exit, or fails with its output. */
  async waitForExit(timeoutMs = 15_000): Promise<Exit> {
    return poll(
      "exit",
      timeoutMs,
      () => this.exit,
      () => this.output(),
    )
  }

  /** Signals the CLI process itself (not its group). */
  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal)
  }

  /** Signals the whole process group, as a terminal's Ctrl+C does. */
  signalGroup(signal: NodeJS.Signals): void {
    process.kill(-this.pid, signal)
  }

  output(): string {
    return `--- stdout\n${this.stdout}--- stderr\n${this.stderr}`
  }
}

/** Runs the CLI to completion (or fails after `timeoutMs`). */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliProcess & { exit: Exit }> {
  const cli = new CliProcess(args, options)
  await cli.waitForExit(options.timeoutMs)
  return cli as CliProcess & { exit: Exit }
}

/** For `after` hooks: kills every process group started here, including what outlived its leader. */
export function killAll(): void {
  for (const cli of started) {
    try {
      process.kill(-cli.pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
}

/** A port that is free right now on every interface. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A port held open by this test process until `release()`. */
export async function occupyPort(host?: string): Promise<{ port: number; release: () => Promise<void> }> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, host, resolve)
  })
  const { port } = server.address() as { port: number }
  return { port, release: () => new Promise((resolve) => server.close(() => resolve())) }
}

/** Calls `check` every 25 ms until it returns a value; fails with `describe()` after `timeoutMs`. */
export async function poll<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | Promise<T | undefined>,
  describe: () => string = () => "",
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

// The environment a user's shell would give: nothing of the test runner's,
// and only the PORT/HOST/LAYERON_KV the test sets (memory storage by default).
function cliEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LAYERON_KV: "memory:" }
  for (const name of ["PORT", "HOST", "NODE_TEST_CONTEXT", "NODE_OPTIONS"]) delete env[name]
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}

/**
 * A throwaway project in the temp dir with these files, that can import
 * @layeron/core as an installed app does (node_modules links to the
 * workspace's). Without a package.json, TypeScript there compiles to CommonJS.
 */
export async function tempProject(
  files: Record<string, string>,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "layeron-cli-test-"))
  await symlink(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir")
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}
