// What Layeron itself adds to the adapter: its routing, request checks and
// error handling around a handler that answers the profile JSON without
// touching storage (compare with hono-adapter.ts, which has no framework).
import type { AddressInfo } from "node:net"
import { backend } from "@layeron/core"
import { announce } from "./session-app.ts"

const token = "raw-token"
const body = { message: "Hello, bench@example.com!", roles: ["admin"] }
const app = backend()
app.get("/api/profile", async (request) =>
  request.headers.get("authorization") === `Bearer ${token}`
    ? Response.json(body)
    : new Response("Unauthorized", { status: 401 }),
)
const server = await app.listen({ port: 0, hostname: "127.0.0.1" })
announce((server.server.address() as AddressInfo).port, token)
