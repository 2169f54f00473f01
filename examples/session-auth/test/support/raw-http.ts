// HTTP over a bare TCP socket, so a test can send what fetch refuses to:
// malformed request lines, NUL or raw UTF-8 in headers, garbage bytes, and
// requests dribbled a byte at a time. Each exchange opens its own connection
// and reads until the server closes it.
import { connect, type Socket } from "node:net"

/** Bytes to send, a pause before the next part, or a promise to wait for. */
export type Part = string | Buffer | { pauseMs: number } | { until: Promise<unknown> }

export interface RawReply {
  /** The status of the first response, 0 when the server closed without one. */
  readonly status: number
  /** Every status line received, for keep-alive exchanges with several responses. */
  readonly statuses: number[]
  /** Everything the server sent, read as latin1 so bytes survive. */
  readonly raw: string
  /** How long until the server closed the connection, in ms. */
  readonly closedAfterMs: number
  /** A socket error seen on the way (a reset while writing, say). */
  readonly error: string | undefined
}

export interface ExchangeOptions {
  host?: string
  /** Give up (and destroy the socket) after this long; default 5 s. */
  giveUpMs?: number
}

export function exchange(port: number, parts: Part[], options: ExchangeOptions = {}): Promise<RawReply> {
  return new Promise((resolve) => {
    const started = performance.now()
    const socket = connect(port, options.host ?? "127.0.0.1")
    let raw = ""
    let error: string | undefined
    let closed = false
    socket.on("data", (chunk: Buffer) => {
      raw += chunk.toString("latin1")
    })
    socket.on("error", (cause: NodeJS.ErrnoException) => {
      error ??= cause.code ?? cause.message
    })
    const giveUp = setTimeout(() => socket.destroy(), options.giveUpMs ?? 5000)
    socket.on("close", () => {
      closed = true
      clearTimeout(giveUp)
      const statuses = statusesOf(raw)
      resolve({ status: statuses[0] ?? 0, statuses, raw, closedAfterMs: performance.now() - started, error })
    })
    socket.once("connect", () => void writeParts(socket, parts, () => closed))
  })
}

async function writeParts(socket: Socket, parts: Part[], isClosed: () => boolean): Promise<void> {
  for (const part of parts) {
    if (isClosed() || socket.destroyed) return
    if (typeof part === "object" && !Buffer.isBuffer(part)) {
      if ("until" in part) await part.until
      else await new Promise((resolve) => setTimeout(resolve, part.pauseMs))
      continue
    }
    const flushed = socket.write(part)
    if (!flushed) await new Promise((resolve) => socket.once("drain", resolve).once("close", resolve))
  }
}

/** A request as bytes: a request line, headers (Host and Connection: close unless given), and a body. */
export function httpRequest(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Buffer {
  const names = Object.keys(headers).map((name) => name.toLowerCase())
  const lines = [`${method} ${target} HTTP/1.1`]
  if (!names.includes("host")) lines.push("Host: localhost")
  if (!names.includes("connection")) lines.push("Connection: close")
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  if (body !== undefined && !names.includes("content-length") && !names.includes("transfer-encoding")) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`)
  }
  const head = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1")
  if (body === undefined) return head
  return Buffer.concat([head, typeof body === "string" ? Buffer.from(body, "utf8") : body])
}

/** Splits bytes into one-byte parts with a pause between each: a slowloris client. */
export function dribble(bytes: string | Buffer, pauseMs: number): Part[] {
  const buffer = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes
  const parts: Part[] = []
  for (const byte of buffer) parts.push(Buffer.from([byte]), { pauseMs })
  return parts
}

/** The status of each response in what a server sent, walking them by their framing. */
function statusesOf(raw: string): number[] {
  const statuses: number[] = []
  let at = 0
  while (at < raw.length) {
    const status = /^HTTP\/1\.[01] (\d{3}) /.exec(raw.slice(at, at + 32))
    const headEnd = raw.indexOf("\r\n\r\n", at)
    if (status === null || headEnd === -1) break
    statuses.push(Number(status[1]))
    const head = raw.slice(at, headEnd).toLowerCase()
    const length = /\r\ncontent-length: *(\d+)/.exec(head)
    if (length) at = headEnd + 4 + Number(length[1])
    else if (/\r\ntransfer-encoding: *chunked/.test(head)) {
      const end = raw.indexOf("\r\n0\r\n\r\n", headEnd)
      at = end === -1 ? raw.length : end + 7
    } else break
  }
  return statuses
}
