// Layeron serving the example through a naive adapter that builds a full Web
// Request for every Node.js request and reads the Response's body stream:
// what "no lazy Request" costs.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { announce, sessionApp } from "./session-app.ts"

const { app, token } = await sessionApp()
await app.start()
const server = createServer(async (incoming, outgoing) => {
  const headers = new Headers()
  for (let index = 0; index < incoming.rawHeaders.length; index += 2) {
    headers.append(incoming.rawHeaders[index] as string, incoming.rawHeaders[index + 1] as string)
  }
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD"
  const request = new Request(`http://${incoming.headers.host}${incoming.url}`, {
    method: incoming.method,
    headers,
    body: hasBody ? (incoming as unknown as ReadableStream) : null,
    duplex: "half",
  } as RequestInit)
  const response = await app.fetch(request)
  outgoing.writeHead(response.status, Object.fromEntries(response.headers))
  outgoing.end(Buffer.from(await response.arrayBuffer()))
})
server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port, token))
