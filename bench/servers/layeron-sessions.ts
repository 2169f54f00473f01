// Layeron serving the sessions example (auth.sessions) through its Node.js
// adapter, with one API client logged in: GET /api/profile is the guarded
// group's middleware (one read and a SHA-256) and the handler.
import type { AnyBackend } from "@layeron/core"
import { announce } from "./session-app.ts"

const app = (await import("../../examples/sessions/app.ts")).default as AnyBackend
const response = await app.fetch(
  new Request("http://localhost/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "bench@example.com", rememberMe: true }),
  }),
)
const { token } = (await response.json()) as { token: string }
const server = await app.listen({ port: 0, hostname: "127.0.0.1" })
announce(server.port, token)
