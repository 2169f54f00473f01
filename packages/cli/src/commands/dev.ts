import { type ChildProcess, spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { CHANNEL_ENV, type DevEvent, openChannel } from "../dev/channel.js"
import type { DevChildArgs } from "../dev/child.js"
import { resolveEntry } from "../load-app.js"
import { listenSettings, type ServeFlags } from "../options.js"
import { parseLogSetting } from "../request-log.js"

export interface DevOptions extends ServeFlags {
  entry: string | undefined
  /** `--log`: requests by default, as `wrangler dev` does. */
  log: string | undefined
}

/** How long a SIGINT may take to reach the app by itself before this process passes it on. */
const SIGINT_GRACE_MS = 500

/**
 * Runs the app under `tsx watch`: TypeScript runs directly, and the server
 * restarts whenever a file the app imports changes. Resolves to the exit code.
 *
 * If the very first start cannot listen or start its modules (a port in use, a
 * bad LAYERON_KV), this exits 1 after the app's one-line error: saving a file
 * cannot fix the environment, and a command that sits there looking alive
 * without serving misleads. A code error (the entry does not compile or
 * throws) keeps watching, since the next save is the fix; so does any failure
 * after the app has served once.
 */
export async function dev(options: DevOptions): Promise<number> {
  const entryPath = resolveEntry(options.entry, "dev")
  listenSettings(options) // a bad --port or PORT fails here, once, not on every restart
  const log = parseLogSetting(options.log, "requests")

  let tsx: ChildProcess | undefined
  let servedOnce = false
  let failedAtFirstStart = false
  let appStopping = false
  const onEvent = (event: DevEvent) => {
    if (event.event === "listening") servedOnce = true
    else if (event.event === "stopping") appStopping = true
    else if (event.phase === "serve" && !servedOnce && !failedAtFirstStart) {
      failedAtFirstStart = true
      tsx?.kill("SIGTERM")
    }
  }
  const channel = await openChannel(onEvent)

  const require = createRequire(import.meta.url)
  const childArgs: DevChildArgs = {
    entry: options.entry as string,
    entryPath,
    port: options.port,
    host: options.host,
    log,
  }
  tsx = spawn(
    process.execPath,
    [
      require.resolve("tsx/cli"),
      "watch",
      "--clear-screen=false",
      fileURLToPath(new URL("../dev/child.js", import.meta.url)),
      JSON.stringify(childArgs),
    ],
    { stdio: "inherit", env: { ...process.env, [CHANNEL_ENV]: channel.name } },
  )
  const running = tsx
  relaySignals(running, () => appStopping)

  return new Promise((resolve) => {
    running.on("exit", (code, signal) => {
      channel.close()
      if (failedAtFirstStart) resolve(1)
      else resolve(code ?? (signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 1))
    })
  })
}

/**
 * Passes SIGTERM on to tsx (which relays it to the app). A Ctrl+C in a
 * terminal already reached tsx and the app, since they share this process
 * group; sending tsx a second SIGINT would make it kill the app without
 * draining. So SIGINT is passed on only if the app has not started stopping
 * by itself shortly after: `kill -INT` aimed at this process alone.
 */
function relaySignals(tsx: ChildProcess, appStopping: () => boolean): void {
  const tsxRunning = () => tsx.exitCode === null && tsx.signalCode === null
  let firstInterruptAt: number | undefined
  process.on("SIGTERM", () => tsx.kill("SIGTERM"))
  process.on("SIGINT", () => {
    if (firstInterruptAt === undefined) {
      firstInterruptAt = Date.now()
      setTimeout(() => {
        if (!appStopping() && tsxRunning()) tsx.kill("SIGINT")
      }, SIGINT_GRACE_MS).unref()
    } else if (Date.now() - firstInterruptAt > SIGINT_GRACE_MS) {
      // Another Ctrl+C well after the first (not npm's copy of it): the user wants out; tsx kills the app.
      tsx.kill("SIGINT")
    }
  })
}
