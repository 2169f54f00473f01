// The docs' example as a Hono user would write it without Layeron: Hono on
// @hono/node-server, sessions in unstorage (memory, db0 + better-sqlite3, or
// redis through ioredis). unstorage has no expiry on memory or SQL, so the
// session carries its own expiry, checked on read as Layeron does.
import { serve } from "@hono/node-server"
import { Hono } from "hono"
import { createStorage, type Driver } from "unstorage"
import { BENCH_EMAIL, backendFromEnv, DAY_SECONDS, newSession, type Session } from "./backend.ts"
import { announce, exitOnSigterm } from "./session-app.ts"

type StoredSession = Session & { expiresAt: number }

async function driverFor(): Promise<Driver> {
  const backend = backendFromEnv(["memory", "sqlite", "redis"])
  if (backend.name === "memory") return (await import("unstorage/drivers/memory")).default()
  if (backend.name === "redis") return (await import("unstorage/drivers/redis")).default({ url: backend.redisUrl })
  const { createDatabase } = await import("db0")
  const sqlite = (await import("db0/connectors/better-sqlite3")).default
  const db0Driver = (await import("unstorage/drivers/db0")).default
  return db0Driver({ database: createDatabase(sqlite({ path: backend.sqlitePath })) })
}

const storage = createStorage<StoredSession>({ driver: await driverFor() })
const app = new Hono()

app.post("/api/auth/login", async (c) => {
  const body = await c.req.json<{ email: string; rememberMe?: boolean }>()
  const token = crypto.randomUUID()
  const ttl = body.rememberMe ? 30 * DAY_SECONDS : DAY_SECONDS
  // `ttl` is honoured by the redis driver; the others keep the entry, and expiresAt hides it.
  await storage.setItem(`session:${token}`, { ...newSession(body.email), expiresAt: Date.now() + ttl * 1000 }, { ttl })
  return c.json({ status: "logged_in", token })
})

app.get("/api/profile", async (c) => {
  const authHeader = c.req.header("authorization")
  if (!authHeader?.startsWith("Bearer ")) return c.text("Unauthorized", 401)
  const session = await storage.getItem(`session:${authHeader.split(" ")[1]}`)
  if (!session || session.expiresAt <= Date.now()) return c.text("Session expired or invalid", 401)
  return c.json({ message: `Hello, ${session.email}!`, roles: session.roles })
})

const login = await app.request("/api/auth/login", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ email: BENCH_EMAIL }),
})
const { token } = (await login.json()) as { token: string }
serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => announce(info.port, token))
exitOnSigterm()
