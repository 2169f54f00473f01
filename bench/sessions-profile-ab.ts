// The sessions example's GET /api/profile (auth.sessions' required() middleware)
// against the docs' example's (one read and json()), both apps in this process,
// `app.fetch` with a Bearer token, rounds alternated (order swapped every round).
// Prints per-request wall and CPU time of each, and the sessions/docs ratio as the
// median of the rounds' ratios: a steadier figure than HTTP rounds on a loaded machine.
//   LAYERON_KV=memory: node --import tsx bench/sessions-profile-ab.ts [rounds] [requests a round]
//   LAYERON_KV=sqlite:/tmp/ab.db node --import tsx bench/sessions-profile-ab.ts 40 400
// With ONLY=sessions (or ONLY=docs) it runs that app alone, for `node --cpu-prof`.
import { loadavg } from "node:os"
import { type AnyBackend, backend } from "@layeron/core"
import { sessionApp } from "./servers/session-app.ts"
import { median } from "./stats.ts"

process.env.LAYERON_KV ??= "memory:"
const rounds = Number(process.argv[2] ?? 40)
const perRound = Number(process.argv[3] ?? 400)
const only = process.env.ONLY

const docs = await sessionApp()
const sessionsApp = (await import("../examples/sessions/app.ts")).default as AnyBackend
const login = await sessionsApp.fetch(
  new Request("http://localhost/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "bench@example.com", rememberMe: true }),
  }),
)
const sessions = { app: sessionsApp, token: ((await login.json()) as { token: string }).token }

// With PARTS=1, two apps that split the sessions example's cost: the same handler behind a middleware that only
// sets a fixed session (the middleware path), and the same handler calling verify() itself (no middleware).
const parts: Record<string, { app: AnyBackend; token: string }> = {}
if (process.env.PARTS === "1") {
  const { auth } = await import("@layeron/modules")
  const session = await (sessions.app as unknown as { fetch: AnyBackend["fetch"] }).fetch(
    new Request("http://localhost/api/profile", { headers: { authorization: `Bearer ${sessions.token}` } }),
  )
  const fixed = { userId: "bench@example.com", data: { email: "bench@example.com" }, expiresAt: new Date() }
  if (session.status !== 200) throw new Error("the sessions example refused its own token")
  const middlewareOnly = backend<Record<string, unknown>, { session: typeof fixed }>()
  middlewareOnly.use("/api/*", (_request, ctx, next) => {
    ctx.set("session", fixed)
    return next()
  })
  middlewareOnly.get("/api/profile", (_request, ctx) => {
    const { userId, data, expiresAt } = ctx.get("session")
    return Response.json({ userId, email: data.email, expiresAt })
  })
  parts["middleware, fixed session"] = { app: middlewareOnly as unknown as AnyBackend, token: sessions.token }
  const verifying = backend()
  const module = auth.sessions<{ email: string }>({ maxAgeSeconds: 90 * 24 * 60 * 60 })
  verifying.use(module)
  verifying.get("/api/profile", async (request) => {
    const verified = await module.verify(request)
    if (verified === null) return new Response("Unauthorized", { status: 401 })
    const { userId, data, expiresAt } = verified
    return Response.json({ userId, email: data.email, expiresAt })
  })
  parts["verify() in the handler"] = { app: verifying as unknown as AnyBackend, token: sessions.token }
}

async function round(target: { app: AnyBackend; token: string }): Promise<{ wall: number; cpu: number }> {
  const headers = { authorization: `Bearer ${target.token}` }
  const cpu = process.cpuUsage()
  const start = performance.now()
  for (let index = 0; index < perRound; index++) {
    const response = await target.app.fetch(new Request("http://localhost/api/profile", { headers }))
    if (response.status !== 200) throw new Error(`profile answered ${response.status}`)
    await response.text()
  }
  const wall = performance.now() - start
  const used = process.cpuUsage(cpu)
  return { wall: (wall * 1000) / perRound, cpu: (used.user + used.system) / perRound }
}

if (only !== undefined) {
  const target = only === "docs" ? docs : sessions
  for (let index = 0; index < rounds; index++) await round(target)
  process.exit(0)
}

const targets: Record<string, { app: AnyBackend; token: string }> = { sessions, ...parts }
// Warm-up: every path compiled before anything is timed.
await round(docs)
for (const target of Object.values(targets)) await round(target)

const results: Record<string, { wall: number; cpu: number }[]> = { docs: [] }
const wallRatios: Record<string, number[]> = {}
const cpuRatios: Record<string, number[]> = {}
for (const name of Object.keys(targets)) {
  results[name] = []
  wallRatios[name] = []
  cpuRatios[name] = []
}
for (let index = 0; index < rounds; index++) {
  // Each target right after the docs' app, the order swapped every round.
  for (const [name, target] of Object.entries(targets)) {
    const first = index % 2 === 0
    const a = first ? await round(docs) : await round(target)
    const b = first ? await round(target) : await round(docs)
    const d = first ? a : b
    const s = first ? b : a
    results.docs?.push(d)
    results[name]?.push(s)
    wallRatios[name]?.push(s.wall / d.wall)
    cpuRatios[name]?.push(s.cpu / d.cpu)
  }
}

const us = (value: number) => `${value.toFixed(1)} µs`
const load = loadavg()
  .map((value) => value.toFixed(1))
  .join(" ")
console.log(`LAYERON_KV=${process.env.LAYERON_KV}, ${rounds} rounds of ${perRound} requests, load average ${load}`)
for (const [name, list] of Object.entries(results)) {
  const ratios =
    name === "docs"
      ? ""
      : `; over docs: wall ${median(wallRatios[name] ?? []).toFixed(2)}x, CPU ${median(cpuRatios[name] ?? []).toFixed(2)}x`
  console.log(
    `${name}: wall median ${us(median(list.map((r) => r.wall)))} (best ${us(Math.min(...list.map((r) => r.wall)))}), CPU median ${us(median(list.map((r) => r.cpu)))}${ratios}`,
  )
}
console.log("(ratios: medians of the rounds' ratios, each target alternated with the docs' app)")
