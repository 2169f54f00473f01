// One HTTP/1.1 request over a bare socket, so a test can send header bytes
// that fetch refuses to (raw UTF-8 or latin1, NUL, huge values).
import { connect } from "node:net"

export interface RawResponse {
  /** 0 when the server closed without answering. */
  readonly status: number
  readonly text: string
}

export function rawRequest(port: number, head: Buffer | string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1")
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error("no answer within 5 s"))
    }, 5000)
    socket.on("data", (chunk: Buffer) => chunks.push(chunk))
    socket.on("error", () => {})
    socket.on("close", () => {
      clearTimeout(timer)
      const text = Buffer.concat(chunks).toString("latin1")
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text })
    })
    // Not end(): a client that half-closes first may see the server drop the request it is still answering.
    socket.write(head)
  })
}
