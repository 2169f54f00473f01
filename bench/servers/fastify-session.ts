// The docs' example as a Fastify user would write it: @fastify/cookie and
// @fastify/session (a signed session cookie), with the plugin's own memory
// store or connect-redis on node-redis. Options are the plugin's defaults but
// `secure: false` (plain HTTP here) and a 24-hour cookie.
import fastifyCookie from "@fastify/cookie"
import fastifySession from "@fastify/session"
import Fastify from "fastify"
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

declare module "fastify" {
  interface Session {
    user?: ReturnType<typeof newSession>
  }
}

async function storeFor(): Promise<fastifySession.SessionStore | undefined> {
  const backend = backendFromEnv(["memory", "redis"])
  if (backend.name === "memory") return undefined
  const { createClient } = await import("redis")
  const { RedisStore } = await import("connect-redis")
  const client = createClient({ url: backend.redisUrl })
  await client.connect()
  return new RedisStore({ client }) as unknown as fastifySession.SessionStore
}

const app = Fastify({ logger: false })
await app.register(fastifyCookie)
await app.register(fastifySession, {
  secret: COOKIE_SECRET,
  cookie: { secure: false, maxAge: DAY_SECONDS * 1000 },
  saveUninitialized: false,
  store: await storeFor(),
})

app.post<{ Body: { email: string } }>("/api/auth/login", async (request) => {
  request.session.user = newSession(request.body.email)
  return { status: "logged_in" }
})

app.get("/api/profile", async (request, reply) => {
  const user: Session | undefined = request.session.user
  if (!user) return reply.code(401).send("Session expired or invalid")
  return { message: `Hello, ${user.email}!`, roles: user.roles }
})

const login = await app.inject({ method: "POST", url: "/api/auth/login", payload: { email: BENCH_EMAIL } })
const cookie = cookiePair(login.headers["set-cookie"])
await app.listen({ port: 0, host: "127.0.0.1" })
const address = app.server.address()
if (address === null || typeof address === "string") throw new Error("no TCP address")
announce(address.port, "", { cookie })
exitOnSigterm()
