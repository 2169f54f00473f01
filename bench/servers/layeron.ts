// Layeron serving the example through its Node.js adapter (@hono/node-server).
// BENCH_EMPTY_MIDDLEWARE=1 puts one middleware that only calls next() in front
// of /api/*: what the middleware path itself costs a request.
import { announce, sessionApp } from "./session-app.ts"

const { app, token } = await sessionApp()
if (process.env.BENCH_EMPTY_MIDDLEWARE === "1") app.use("/api/*", (_request, _ctx, next) => next())
const server = await app.listen({ port: 0, hostname: "127.0.0.1" })
announce(server.port, token)
