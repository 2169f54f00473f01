// Layeron serving the example through its Node.js adapter (@hono/node-server).
import { announce, sessionApp } from "./session-app.ts"

const { app, token } = await sessionApp()
const server = await app.listen({ port: 0, hostname: "127.0.0.1" })
announce(server.port, token)
