// A child process that cannot outlive the test process: it runs under a tiny
// shell watchdog that kills it (-9) when the pipe from this process closes,
// which happens however this process ends (failure, crash, kill -9, timeout),
// even when no `after` hook gets to run.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process"

// fd 3 keeps the pipe from the test process: when it closes, `cat` returns and
// the child is killed: the child alone, or with `group`, the whole process
// group the watchdog leads (what the child spawned too). The shell lives
// exactly as long as the child.
const watchdog = (target: string) => `exec 3<&0
"$@" </dev/null 3<&- &
pid=$!
echo "watched pid=$pid" >&2
{ cat <&3 >/dev/null; kill -9 ${target} 2>/dev/null; } &
wait $pid`

export interface WatchedProcess {
  /** The watchdog shell: its stdout/stderr are the child's, its exit is the child's. */
  readonly shell: ChildProcess
  /** The child's own pid, for signals (SIGTERM, SIGKILL, SIGSTOP). */
  readonly pid: Promise<number>
  /** Resolves when the child has exited. */
  readonly exited: Promise<void>
}

export interface WatchedOptions extends Omit<SpawnOptions, "stdio" | "detached"> {
  /**
   * Runs the watchdog, the child and everything the child spawns in a new
   * process group (its id is `shell.pid`), and kills that whole group: for a
   * child that starts processes of its own, such as `wrangler dev` (workerd).
   */
  group?: boolean
}

export function spawnWatched(command: string, args: string[], options: WatchedOptions = {}): WatchedProcess {
  const { group = false, ...spawnOptions } = options
  // In its own group the shell is the group leader: -$$ is the group.
  const script = watchdog(group ? "-$$" : "$pid")
  const shell = spawn("sh", ["-c", script, "sh", command, ...args], {
    ...spawnOptions,
    detached: group,
    stdio: ["pipe", "pipe", "pipe"],
  })
  const exited = new Promise<void>((resolve) => shell.once("exit", () => resolve()))
  // The child is gone: let the watchdog's `cat` end too.
  void exited.then(() => shell.stdin?.destroy())
  const pid = new Promise<number>((resolve, reject) => {
    let text = ""
    const onData = (chunk: Buffer) => {
      text += chunk.toString()
      const match = /watched pid=(\d+)/.exec(text)
      if (match) {
        shell.stderr?.off("data", onData)
        resolve(Number(match[1]))
      }
    }
    shell.stderr?.on("data", onData)
    void exited.then(() => reject(new Error(`${command} exited before it started: ${text}`)))
  })
  pid.catch(() => undefined)
  return { shell, pid, exited }
}

/**
 * Resolves once the server's shell prints `ready` (on stdout or stderr);
 * rejects with what it printed when it exits first or `timeoutMs` passes.
 * The pipes are drained afterwards, so a chatty server never blocks on them.
 */
export function waitForOutput(
  { shell: child }: WatchedProcess,
  ready: string,
  what: string,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = ""
    const timer = setTimeout(
      () => fail(new Error(`${what} not ready after ${timeoutMs / 1000} s:\n${output}`)),
      timeoutMs,
    )
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(ready)) {
        done()
        resolve()
      }
    }
    const onExit = (code: number | null) => fail(new Error(`${what} exited (${code}):\n${output}`))
    const done = () => {
      clearTimeout(timer)
      child.stdout?.off("data", onData)
      child.stderr?.off("data", onData)
      child.off("exit", onExit)
      child.stdout?.resume()
      child.stderr?.resume()
    }
    const fail = (error: Error) => {
      done()
      child.stdin?.destroy()
      reject(error)
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    child.once("exit", onExit)
  })
}

/** Sends `name` to `pid`, if it is still there. */
export function signalIfAlive(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // Already gone.
  }
}

/** Sends `name` to the watched child (its own `pid`) and resolves once it has exited. */
export async function signalAndWait(child: WatchedProcess, pid: number, name: NodeJS.Signals): Promise<void> {
  signalIfAlive(pid, name)
  await child.exited
}
