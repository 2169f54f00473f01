// Loads the docs' example in this process, logs one user in, and returns the
// app with a valid token, for the servers the HTTP benchmarks start.
import type { ServerResponse } from "node:http"
import type { AnyBackend } from "@layeron/core"
import { createdBackends } from "@layeron/core/internal"

export async function sessionApp(): Promise<{ app: AnyBackend; token: string }> {
  await import("../../examples/session-auth/app.ts")
  const app = createdBackends().at(-1)
  if (!app) throw new Error("the example created no app")
  const response = await app.fetch(
    new Request("http://localhost/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "bench@example.com" }),
    }),
  )
  const { token } = (await response.json()) as { token: string }
  return { app, token }
}

/** Tells the parent where the server listens and what to send: a bearer token, or other headers (a cookie). */
export function announce(port: number, token: string, headers?: Record<string, string>): void {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, token, headers })}\n`)
}

/** For servers without a shutdown of their own: exit on SIGTERM, so that --cpu-prof writes its profile. */
export function exitOnSigterm(): void {
  process.once("SIGTERM", () => process.exit(0))
}

/** The hand-written servers' answer: 401 without a live session, else the docs' example's profile JSON. */
export function answerProfile(response: ServerResponse, session: { email: string; roles: string[] } | null): void {
  if (session === null) {
    response.writeHead(401, { "content-type": "text/plain" })
    response.end("Session expired or invalid")
    return
  }
  response.writeHead(200, { "content-type": "application/json" })
  response.end(JSON.stringify({ message: `Hello, ${session.email}!`, roles: session.roles }))
}
