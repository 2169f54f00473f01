// The limit: node:http answering the profile JSON with no framework and no storage.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { announce, exitOnSigterm } from "./session-app.ts"

const token = "raw-token"
const body = JSON.stringify({ message: "Hello, bench@example.com!", roles: ["admin"] })
const server = createServer((request, response) => {
  if (request.url === "/api/profile" && request.headers.authorization === `Bearer ${token}`) {
    response.writeHead(200, { "content-type": "application/json" })
    response.end(body)
  } else {
    response.writeHead(401)
    response.end("Unauthorized")
  }
})
server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port, token))
exitOnSigterm()
