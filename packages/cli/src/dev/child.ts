// The process `tsx watch` runs and restarts for `layeron dev`: loads the
// entry (tsx's loader is already in place), serves it, and tells `layeron
// dev` how the start went. Not a public entry point.
import type { NodeServer } from "@layeron/core"
import { mountDevInspector } from "../inspector/dev.js"
import { loadApp } from "../load-app.js"
import { listenSettings, type ServeFlags } from "../options.js"
import { printFailure } from "../report.js"
import { type LogSetting, logRequests } from "../request-log.js"
import { CHANNEL_ENV, type ChannelClient, connectChannel } from "./channel.js"

export interface DevChildArgs extends ServeFlags {
  /** As the user typed it, for messages. */
  entry: string
  entryPath: string
  log: LogSetting
}

async function main(args: DevChildArgs): Promise<void> {
  const channel = await connectChannel(process.env[CHANNEL_ENV])
  // The app, and any process it spawns, should not see the channel.
  delete process.env[CHANNEL_ENV]
  const fail = async (error: unknown, phase: "load" | "serve") => {
    printFailure(error, args.entry)
    await channel?.send({ event: "failed", phase })
    process.exit(1)
  }

  let app: Awaited<ReturnType<typeof loadApp>>
  try {
    app = await loadApp(args.entryPath, { registerTsx: false })
  } catch (error) {
    return fail(error, "load")
  }
  let server: NodeServer
  try {
    // Signals are handled below: under `tsx watch` one Ctrl+C arrives twice.
    server = await app.listen({ ...listenSettings(args), handleSignals: false })
  } catch (error) {
    return fail(error, "serve")
  }
  const inspectorLine = mountDevInspector(server, app, listenSettings(args).hostname)
  if (args.log === "requests") logRequests(server.server)
  console.log(`layeron dev: serving ${args.entry} at ${server.url}`)
  console.log(inspectorLine)
  await channel?.send({ event: "listening", url: server.url })
  handleShutdown(server, channel)
}

/**
 * Drains and exits 0 on the first SIGINT/SIGTERM, ignoring the copies: the
 * terminal sends Ctrl+C to the whole process group and tsx relays it again.
 * tsx kills this process if it is still draining 5 s later.
 */
function handleShutdown(server: NodeServer, channel: ChannelClient | undefined): void {
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    void channel?.send({ event: "stopping" })
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        printFailure(error, undefined)
        process.exit(1)
      },
    )
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
  // `layeron dev` died without stopping us (killed hard): stop tsx too, so nothing is left serving.
  channel?.onLost(() => {
    if (stopping) return
    stop()
    if (process.ppid > 1) process.kill(process.ppid, "SIGTERM")
  })
}

main(JSON.parse(process.argv[2] ?? "{}") as DevChildArgs)
