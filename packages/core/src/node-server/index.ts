/**
 * The Node.js server behind `app.listen()`: node:http with Hono's adapter
 * turning each request into a Web-standard one, timeouts for slow clients,
 * and a drain on SIGTERM. It relies on Node.js and @hono/node-server; a
 * Worker bundle gets on-workers.ts in its place (`#node-server` in package.json).
 */
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import { getRequestListener, RequestError } from "@hono/node-server"
import { FETCH_PARSED } from "../backend.js"
import { errorResponse } from "../http-error.js"
import { ListenError } from "../listen-error.js"
import type { AnyBackend } from "../registry.js"

export interface ListenOptions {
  /** Default: `PORT` from the environment, else 3000. 0 picks a free port. */
  port?: number
  /** Default: all interfaces, as Node.js does. */
  hostname?: string
  /** Drain and exit on SIGTERM/SIGINT (default true). */
  handleSignals?: boolean
  /** How long `close()` waits for in-flight requests before cutting them off (default 10 s). */
  shutdownTimeoutMs?: number
  /** How long a client may take to send its headers (default 10 s). */
  headersTimeoutMs?: number
  /** How long a client may take to send its whole request (default 30 s). */
  requestTimeoutMs?: number
}

export interface NodeServer {
  readonly port: number
  /** A URL to reach the server from this machine. */
  readonly url: string
  readonly server: Server
  /** Stops accepting, lets in-flight requests finish, then closes every module. */
  close(): Promise<void>
}

export async function serveNode(app: AnyBackend, options: ListenOptions): Promise<NodeServer> {
  const port = options.port ?? portFromEnv()
  await app.start(process.env)

  const pending = new Set<Promise<unknown>>()
  const executionContext = {
    waitUntil(promise: Promise<unknown>) {
      const tracked = Promise.resolve(promise).catch((error: unknown) =>
        app.logger.error("waitUntil task failed", error),
      )
      pending.add(tracked)
      tracked.finally(() => pending.delete(tracked))
    },
  }
  // Hono's adapter hands the handler a lazy Request that reads the Node.js
  // message only when asked, and writes simple Responses without streams.
  const listener = getRequestListener((request) => app[FETCH_PARSED](request, process.env, executionContext), {
    errorHandler: (error) => {
      // The adapter could not make a Request of what the client sent (no Host, a bad Host, a backslash in the path).
      if (error instanceof RequestError) {
        app.logger.error("Request failed before reaching the app", error)
        return errorResponse(400)
      }
      // The app always answers, so this is a bug of ours: not the client's fault.
      app.logger.error("Request failed", error)
      return errorResponse(500)
    },
  })
  const headersTimeout = options.headersTimeoutMs ?? 10_000
  const requestTimeout = options.requestTimeoutMs ?? 30_000
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: checkingInterval(headersTimeout, requestTimeout),
    },
    listener,
  )
  server.on("connect", refuseTunnel)
  await listenOn(server, port, options.hostname)

  const address = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    // The signal handlers stay until the modules are closed, so a late signal cannot kill the process mid-close.
    closing ??= drain(server, options.shutdownTimeoutMs ?? 10_000)
      .then(() => Promise.allSettled([...pending]))
      .then(() => app.close())
      .finally(() => removeSignalHandlers())
    return closing
  }

  let firstSignalAt = 0
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      // A terminal's Ctrl+C reaches every process of the group and npm forwards it again:
      // a repeat within a second is that copy. A later one is the user insisting.
      if (Date.now() - firstSignalAt < REPEATED_SIGNAL_MS) return
      app.logger.error(`${signal} again: exiting without waiting`)
      process.exit(1)
    }
    firstSignalAt = Date.now()
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.logger.error("Shutdown failed", error)
        process.exit(1)
      },
    )
  }
  const removeSignalHandlers = () => {
    process.off("SIGTERM", onSignal)
    process.off("SIGINT", onSignal)
  }
  if (options.handleSignals ?? true) {
    process.on("SIGTERM", onSignal)
    process.on("SIGINT", onSignal)
  }

  return {
    port: address.port,
    url: `http://${urlHost(options.hostname)}:${address.port}`,
    server,
    close,
  }
}

/** A second signal sooner than this after the first is a copy of it, not a request to force the exit. */
const REPEATED_SIGNAL_MS = 1000

/**
 * Node.js enforces both timeouts only when it sweeps its connections, by
 * default every 30 s: a slow client would then hold its socket for up to 30 s
 * past its timeout. Sweeping every second (sooner for shorter timeouts) keeps
 * the bound close to the timeout; a sweep only walks the open connections.
 */
function checkingInterval(headersTimeout: number, requestTimeout: number): number {
  const timeouts = [headersTimeout, requestTimeout].filter((timeout) => timeout > 0)
  return Math.max(10, Math.min(1000, ...timeouts))
}

/** Without a listener Node.js drops a CONNECT without a word; a client gets a clear 405 instead. */
function refuseTunnel(_request: IncomingMessage, socket: Duplex): void {
  socket.on("error", () => {})
  socket.end("HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
}

function portFromEnv(): number {
  const raw = process.env.PORT
  if (raw === undefined || raw === "") return 3000
  const port = Number(raw)
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new ListenError(`PORT must be a port number from 0 to 65535, got "${raw}"`, "PORT_INVALID")
  }
  return port
}

function listenOn(server: Server, port: number, hostname: string | undefined): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Promise.reject(new ListenError(`port must be a number from 0 to 65535, got ${String(port)}`, "PORT_INVALID"))
  }
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening)
      reject(listenError(error, port, hostname))
    }
    const onListening = () => {
      server.off("error", onError)
      resolve()
    }
    server.once("error", onError)
    server.once("listening", onListening)
    server.listen(port, hostname)
  })
}

function listenError(error: NodeJS.ErrnoException, port: number, hostname: string | undefined): ListenError {
  const where = hostname ? `${hostname}:${port}` : `port ${port}`
  switch (error.code) {
    case "EADDRINUSE":
      return new ListenError(`${where} is already in use; choose another with --port or PORT`, "EADDRINUSE", {
        cause: error,
      })
    case "EACCES":
      return new ListenError(`No permission to listen on ${where}`, "EACCES", { cause: error })
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new ListenError(`Cannot listen on ${where}: no such address on this machine`, error.code, { cause: error })
    default:
      return new ListenError(`Cannot listen on ${where}: ${error.message}`, error.code ?? "LISTEN_FAILED", {
        cause: error,
      })
  }
}

/** Stops accepting connections and waits for in-flight requests, up to `timeoutMs`. */
function drain(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Idle keep-alive sockets would hold close() open; a socket becomes idle
    // when its in-flight response ends, so keep closing the idle ones.
    const sweepIdle = setInterval(() => server.closeIdleConnections(), 25)
    const cutOff = setTimeout(() => server.closeAllConnections(), timeoutMs)
    server.close(() => {
      clearInterval(sweepIdle)
      clearTimeout(cutOff)
      resolve()
    })
    server.closeIdleConnections()
  })
}

function urlHost(hostname: string | undefined): string {
  if (hostname === undefined || hostname === "" || hostname === "0.0.0.0" || hostname === "::") return "localhost"
  return hostname.includes(":") ? `[${hostname}]` : hostname
}
