// Cloudflare's own CLI, wrangler, for the tests that check the Workers build
// with it. wrangler is not part of the root install: tools/wrangler is a
// package of its own with its own lock, installed here on first use and again
// whenever its lock changes. wrangler runs with everything that would reach
// Cloudflare or npm turned off, and with its config in the test's temp dir.
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { freePort } from "@layeron/test-support/redis-server"
import { spawnWatched } from "@layeron/test-support/watched-process"

const run = promisify(execFile)

export const WRANGLER_DIR = fileURLToPath(new URL("../../../../tools/wrangler", import.meta.url))
const bin = join(WRANGLER_DIR, "node_modules/.bin/wrangler")
const lock = join(WRANGLER_DIR, "package-lock.json")
// npm writes this last in a complete install: older than the lock means the lock changed since.
const installedLock = join(WRANGLER_DIR, "node_modules/.package-lock.json")

function isInstalled(): boolean {
  return existsSync(bin) && existsSync(installedLock) && statSync(installedLock).mtimeMs >= statSync(lock).mtimeMs
}

const INSTALL_TIMEOUT_MS = 10 * 60_000
// Several test files run at once and each may install: one \`npm ci\` at a
// time (two at once fail with ENOTEMPTY), the others wait for it. mkdir is
// atomic, so the folder is the lock; one older than an install's timeout was
// left by a process that died.
const installLock = join(WRANGLER_DIR, ".installing")

async function withInstallLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(installLock)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      const age = Date.now() - (statSync(installLock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > INSTALL_TIMEOUT_MS) rmSync(installLock, { recursive: true, force: true })
      else await sleep(250)
    }
  }
  try {
    return await work()
  } finally {
    rmSync(installLock, { recursive: true, force: true })
  }
}

/** Installs tools/wrangler from its lock when it is missing or stale; returns the path of the wrangler binary. */
export async function installWrangler(): Promise<string> {
  if (isInstalled()) return bin
  return withInstallLock(async () => {
    if (isInstalled()) return bin // another test file installed it while this one waited
    const args = ["ci", "--prefix", WRANGLER_DIR, "--no-audit", "--no-fund"]
    try {
      await run("npm", args, { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 })
    } catch (error) {
      const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string }
      throw new Error(`npm ${args.join(" ")} failed: ${(error as Error).message}\n${stdout}${stderr}`)
    }
    if (!isInstalled()) throw new Error(`npm ${args.join(" ")} did not install ${bin}`)
    return bin
  })
}

// Any of these would let wrangler act on a real Cloudflare account.
const ACCOUNT_VARIABLES = [
  "CLOUDFLARE_API_TOKEN",
  "CLOUDFLARE_API_KEY",
  "CLOUDFLARE_EMAIL",
  "CLOUDFLARE_ACCOUNT_ID",
  "CF_API_TOKEN",
  "CF_API_KEY",
  "CF_EMAIL",
  "CF_ACCOUNT_ID",
]

/** wrangler's environment: no account, nothing sent anywhere, its config and logs under `home`. */
export function wranglerEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of ACCOUNT_VARIABLES) delete env[name]
  return {
    ...env,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    // The banner is where wrangler asks the npm registry for a newer version.
    WRANGLER_HIDE_BANNER: "true",
    // Miniflare would download Request.cf's data from workers.cloudflare.com.
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    // ~/.config/.wrangler (login, logs) is the user's: use a throwaway one.
    XDG_CONFIG_HOME: join(home, "config"),
    NODE_OPTIONS: "",
  }
}

export interface WranglerResult {
  code: number
  output: string
}

/** Runs one wrangler command to completion. */
export async function runWrangler(wrangler: string, args: string[], home: string): Promise<WranglerResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [wrangler, ...args], {
      cwd: home,
      env: wranglerEnv(home),
      timeout: 120_000,
    })
    return { code: 0, output: stdout + stderr }
  } catch (error) {
    const { code, stdout = "", stderr = "" } = error as { code?: number | string; stdout?: string; stderr?: string }
    if (typeof code !== "number") throw error
    return { code, output: stdout + stderr }
  }
}

export interface WranglerDev {
  readonly url: string
  /** The process group of wrangler and all it started (workerd, esbuild). */
  readonly group: number
  output(): string
  /** Ends the whole group (SIGTERM, then SIGKILL); resolves with what is still running in it, if anything. */
  stop(): Promise<string[]>
}

/**
 * Starts `wrangler dev` in local mode on free ports, with its KV data under
 * `persistTo`, and resolves once the Worker answers HTTP.
 */
export async function startWranglerDev(
  wrangler: string,
  config: string,
  options: { home: string; persistTo: string },
): Promise<WranglerDev> {
  const [port, inspectorPort] = [await freePort(), await freePort()]
  const child = spawnWatched(
    process.execPath,
    [
      wrangler,
      "dev",
      "--config",
      config,
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-ip",
      "127.0.0.1",
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      options.persistTo,
      "--show-interactive-dev-session=false",
    ],
    { cwd: options.home, env: wranglerEnv(options.home), group: true },
  )
  const group = child.shell.pid as number
  let output = ""
  let exited = false
  for (const stream of [child.shell.stdout, child.shell.stderr]) {
    stream?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk))
  }
  void child.exited.then(() => (exited = true))

  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<string[]> => {
    signalGroup(group, "SIGTERM")
    let left = await waitForEmptyGroup(group, 15_000)
    if (left.length > 0) {
      signalGroup(group, "SIGKILL")
      left = await waitForEmptyGroup(group, 5_000)
    }
    await child.exited
    return left
  }

  // Ready once the Worker itself answers a request (the first start compiles and loads workerd).
  const deadline = Date.now() + 120_000
  for (;;) {
    if (exited) throw new Error(`wrangler dev exited before serving:\n${output}`)
    const answered = await fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.arrayBuffer().then(() => true),
      () => false,
    )
    if (answered) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`wrangler dev did not answer on ${url} within 120 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url, group, output: () => output, stop }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal)
  } catch {
    // the group is already gone
  }
}

/** The processes running now (zombies left out) whose `ps` line matches `keep`: "pid stat args". */
export async function runningProcesses(keep: (line: { pgid: number; args: string }) => boolean): Promise<string[]> {
  const { stdout } = await run("ps", ["-eo", "pid=,pgid=,stat=,args="])
  return stdout
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && !(match[3] as string).startsWith("Z"))
    .filter((match) => keep({ pgid: Number(match[2]), args: match[4] as string }))
    .map((match) => `${match[1]} ${match[3]} ${match[4]}`)
}

async function waitForEmptyGroup(group: number, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const left = await runningProcesses((process) => process.pgid === group)
    if (left.length === 0 || Date.now() > deadline) return left
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
