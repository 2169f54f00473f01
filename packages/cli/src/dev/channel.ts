import { randomBytes } from "node:crypto"
import { rmSync } from "node:fs"
import { connect, createServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

// `layeron dev` runs the app two processes away (itself -> tsx watch -> the
// app), so the app tells it how each start went over a local socket named in
// this variable: tsx passes the environment through but not stdio or IPC.
export const CHANNEL_ENV = "LAYERON_DEV_CHANNEL"

export type DevEvent =
  | { event: "listening"; url: string }
  /** `load`: the entry could not be run (a code error a save can fix); `serve`: it could not listen or start its modules. */
  | { event: "failed"; phase: "load" | "serve" }
  /** The app got SIGINT/SIGTERM and is shutting down. */
  | { event: "stopping" }

export interface ChannelServer {
  /** What the app's process needs to connect: the value of `CHANNEL_ENV`. */
  readonly name: string
  close(): void
}

/** The `layeron dev` end: calls `onEvent` for every event any app process sends. */
export async function openChannel(onEvent: (event: DevEvent) => void): Promise<ChannelServer> {
  const name = `layeron-dev-${process.pid}-${randomBytes(4).toString("hex")}`
  const path = channelPath(name)
  const server = createServer((socket) => {
    socket.setEncoding("utf8")
    let buffered = ""
    socket.on("data", (chunk: string) => {
      buffered += chunk
      for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
        const line = buffered.slice(0, end)
        buffered = buffered.slice(end + 1)
        onEvent(JSON.parse(line) as DevEvent)
      }
    })
    socket.on("error", () => {}) // an app process that dies mid-write is reported by tsx, not here
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(path, resolve)
  })
  server.unref()
  let closed = false
  return {
    name,
    close() {
      if (closed) return
      closed = true
      server.close()
      // close() unlinks a socket file only once every connection ended; the process may exit first.
      if (path.startsWith(tmpdir())) rmSync(path, { force: true })
    },
  }
}

// Linux's abstract sockets leave no file behind even if `layeron dev` is killed
// hard; Windows has named pipes; elsewhere a socket file in the temp dir.
function channelPath(name: string): string {
  if (process.platform === "linux") return `\0${name}`
  if (process.platform === "win32") return `\\\\.\\pipe\\${name}`
  return join(tmpdir(), `${name}.sock`)
}

export interface ChannelClient {
  send(event: DevEvent): Promise<void>
  /** Called once if `layeron dev` goes away without stopping this process. */
  onLost(callback: () => void): void
}

/** The app's end, or undefined outside `layeron dev` or if it cannot be reached. */
export async function connectChannel(name: string | undefined): Promise<ChannelClient | undefined> {
  if (name === undefined || !/^layeron-dev-[\w-]+$/.test(name)) return undefined
  const path = channelPath(name)
  const socket = await new Promise<Socket | undefined>((resolve) => {
    const attempt = connect(path)
    attempt.once("connect", () => resolve(attempt))
    attempt.once("error", () => resolve(undefined))
  })
  if (socket === undefined) return undefined
  socket.unref() // never keeps the app alive on its own
  socket.on("error", () => {})
  return {
    send: (event) =>
      new Promise((resolve) => {
        if (socket.destroyed) return resolve()
        socket.write(`${JSON.stringify(event)}\n`, () => resolve())
      }),
    onLost: (callback) => socket.once("close", callback),
  }
}
