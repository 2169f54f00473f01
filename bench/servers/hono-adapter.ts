// What the Web-standard layer costs by itself: @hono/node-server (the adapter
// Layeron uses) with an async handler that reads the authorization header and
// answers the profile JSON, with no routing and no storage.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { getRequestListener } from "@hono/node-server"
import { announce, exitOnSigterm } from "./session-app.ts"

const token = "raw-token"
const body = { message: "Hello, bench@example.com!", roles: ["admin"] }
const listener = getRequestListener(async (request: Request) =>
  request.headers.get("authorization") === `Bearer ${token}`
    ? Response.json(body)
    : new Response("Unauthorized", { status: 401 }),
)
const server = createServer(listener)
server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port, token))
exitOnSigterm()
