// Session authentication with auth.sessions: log in with a cookie (browsers)
// or a token (API clients), see your profile and your devices, log out, or
// log out every other device. Everything under /api/ needs a session.
import { backend, HttpError } from "@layeron/core"
import { auth, type Session } from "@layeron/modules"

type Device = { email: string; device: string }

const app = backend<Record<string, unknown>, { session: Session<Device> }>()

// 24-hour sessions (30 days with "remember me"), renewed while in use, never older than 90 days.
const sessions = auth.sessions<Device>({ maxAgeSeconds: 90 * 24 * 60 * 60 })
app.use(sessions)

async function startSession(request: Request) {
  const body: unknown = await request.json()
  const { email, rememberMe } = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>
  if (typeof email !== "string" || !/^[^@\s]{1,64}@[^@\s]{1,190}$/.test(email)) {
    throw new HttpError(400, "email must be an email address")
  }
  // A real app checks the password (or a one-time code) here, and rate-limits this route.
  const device = (request.headers.get("user-agent") ?? "unknown").slice(0, 200)
  return sessions.create({ userId: email.toLowerCase(), data: { email, device }, rememberMe: rememberMe === true })
}

// Browsers: the token goes into an HttpOnly cookie, out of reach of page scripts.
app.post("/auth/login", async (request) => {
  const created = await startSession(request)
  return sessions.setCookie(Response.json({ expiresAt: created.session.expiresAt }), created, request)
})

// API clients: the token comes back once, to be sent as `Authorization: Bearer <token>`.
app.post("/auth/token", async (request) => {
  const { token, session } = await startSession(request)
  return Response.json({ token, expiresAt: session.expiresAt })
})

// The guarded route group: 401 without a valid session, for every path under /api/.
app.use("/api/*", sessions.required())

app.get("/api/profile", (_request, ctx) => {
  const { userId, data, expiresAt } = ctx.get("session")
  return Response.json({ userId, email: data.email, expiresAt })
})

app.get("/api/devices", async (_request, ctx) => {
  const current = ctx.get("session")
  const devices = (await sessions.list(current.userId)).map((session) => ({
    id: session.id,
    device: session.data.device,
    createdAt: session.createdAt,
    lastUsedAt: session.lastUsedAt,
    expiresAt: session.expiresAt,
    current: session.id === current.id,
  }))
  return Response.json({ devices })
})

app.post("/api/logout", async (request) => {
  await sessions.revoke(request)
  return sessions.clearCookie(Response.json({ loggedOut: true }), request)
})

app.post("/api/logout-others", async (_request, ctx) => {
  const current = ctx.get("session")
  const revoked = await sessions.revokeAll(current.userId, { except: current.id })
  return Response.json({ revoked })
})

export default app
