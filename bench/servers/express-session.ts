// The docs' example as an Express user would write it: express-session (a
// signed session cookie) with its memory store, connect-redis on node-redis,
// or connect-pg-simple on a pg pool (10 connections, as Layeron's driver
// keeps), `resave: false, saveUninitialized: false` as its README advises.
import type { AddressInfo } from "node:net"
import connectPgSimple from "connect-pg-simple"
import { RedisStore } from "connect-redis"
import express from "express"
import session from "express-session"
import pg from "pg"
import { createClient } from "redis"
import {
  BENCH_EMAIL,
  backendFromEnv,
  COOKIE_SECRET,
  cookiePair,
  DAY_SECONDS,
  newSession,
  type Session,
} from "./backend.ts"
import { announce, exitOnSigterm } from "./session-app.ts"

interface Request {
  body: { email: string }
  session: { user?: Session }
}
interface Response {
  status(code: number): Response
  send(body: string): void
  json(body: unknown): void
}

async function storeFor(): Promise<unknown> {
  const backend = backendFromEnv(["memory", "redis", "postgres"])
  if (backend.name === "memory") return undefined
  if (backend.name === "postgres") {
    const PgStore = connectPgSimple(session)
    const pool = new pg.Pool({ ...JSON.parse(backend.postgres), max: 10 })
    return new PgStore({ pool, createTableIfMissing: true })
  }
  const client = createClient({ url: backend.redisUrl })
  await client.connect()
  return new RedisStore({ client })
}

const app = express()
app.use(express.json())
app.use(
  session({
    secret: COOKIE_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: DAY_SECONDS * 1000 },
    store: await storeFor(),
  }),
)

app.post("/api/auth/login", (request: Request, response: Response) => {
  request.session.user = newSession(request.body.email)
  response.json({ status: "logged_in" })
})

app.get("/api/profile", (request: Request, response: Response) => {
  const user = request.session.user
  if (!user) return response.status(401).send("Session expired or invalid")
  response.json({ message: `Hello, ${user.email}!`, roles: user.roles })
})

const server = app.listen(0, "127.0.0.1", async () => {
  const port = (server.address() as AddressInfo).port
  const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: BENCH_EMAIL }),
  })
  announce(port, "", { cookie: cookiePair(login.headers.get("set-cookie")) })
})
exitOnSigterm()
