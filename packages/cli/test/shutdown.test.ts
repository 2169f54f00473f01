import assert from "node:assert/strict"
import { request } from "node:http"
import { connect } from "node:net"
import { after, describe, it } from "node:test"
import { CliProcess, fixture, killAll, poll } from "./support/cli-process.js"

after(killAll)

/** Whether a new connection to the URL's port is refused (the server stopped accepting). */
function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname === "localhost" ? "127.0.0.1" : hostname)
    socket.once("connect", () => {
      socket.destroy()
      resolve(false)
    })
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"))
  })
}

describe("layeron start shutdown", { timeout: 60_000 }, () => {
  const cases = [
    { signal: "SIGTERM", copies: 1 },
    { signal: "SIGINT", copies: 1 },
    // A terminal's Ctrl+C under npm arrives twice, a few milliseconds apart.
    { signal: "SIGINT", copies: 2 },
  ] as const
  for (const { signal, copies } of cases) {
    const title = copies === 1 ? signal : `${signal} sent twice 30 ms apart`
    it(`${title} lets the in-flight request finish with 200, closes the modules, exits 0`, async () => {
      const cli = new CliProcess(["start", fixture("slow-upload.ts"), "--port", "0", "--host", "127.0.0.1"])
      const url = await cli.servingUrl()

      // A chunked upload whose body is only half sent: the request is in flight.
      const upload = request(`${url}/upload`, { method: "POST", headers: { "content-type": "text/plain" } })
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        upload.on("response", (res) => {
          let body = ""
          res.setEncoding("utf8").on("data", (chunk: string) => {
            body += chunk
          })
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
        })
        upload.on("error", reject)
      })
      upload.write("first half, ")
      await cli.waitFor(/upload started/)

      cli.signal(signal)
      if (copies === 2) {
        await new Promise((resolve) => setTimeout(resolve, 30))
        cli.signal(signal)
      }
      // The signal has been handled once the server stops accepting new connections.
      await poll(
        "the server to stop accepting",
        10_000,
        async () => ((await refused(url)) ? true : undefined),
        () => cli.output(),
      )
      upload.end("second half")

      const { status, body } = await response
      assert.equal(status, 200)
      assert.deepEqual(JSON.parse(body), { body: "first half, second half" })
      assert.deepEqual(await cli.waitForExit(), { code: 0, signal: null })
      assert.match(cli.stdout, /probe module closed/)
      assert.equal(cli.stderr, "")
    })
  }
})
