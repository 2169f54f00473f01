// Which Node.js adapter: @hono/node-server's lazy Request versus a full Web
// Request per request, against raw node:http, alternated over several rounds.
import { load, median, startServer } from "./http-load.ts"

const quick = process.argv.includes("--quick")
const rounds = quick ? 2 : 5
const seconds = quick ? 3 : 5
const variants = {
  "raw node:http": "bench/servers/raw-node.ts",
  "layeron (@hono/node-server)": "bench/servers/layeron.ts",
  "layeron (full Request)": "bench/servers/layeron-full-request.ts",
}
const env = { LAYERON_KV: "memory:" }
const results = new Map<string, { rps: number[]; p99: number[] }>()

for (let round = 0; round < rounds; round++) {
  for (const [name, script] of Object.entries(variants)) {
    const server = await startServer(script, env)
    await load(server, { path: "/api/profile", seconds: 1, connections: 10 }) // warm-up
    const result = await load(server, { path: "/api/profile", seconds, connections: 10 })
    await server.stop()
    if (result.non2xx > 0) throw new Error(`${name} answered ${result.non2xx} non-2xx responses`)
    const entry = results.get(name) ?? { rps: [], p99: [] }
    entry.rps.push(result.requestsPerSecond)
    entry.p99.push(result.p99Ms)
    results.set(name, entry)
  }
}

const baseline = median(results.get("raw node:http")?.rps ?? [1])
console.log(`GET /api/profile, memory driver, ${rounds} rounds x ${seconds}s, 10 connections`)
console.log("| server | req/s (median) | x raw node:http | p99 ms (median) |")
console.log("| --- | --- | --- | --- |")
for (const [name, { rps, p99 }] of results) {
  const value = median(rps)
  console.log(`| ${name} | ${Math.round(value)} | ${(value / baseline).toFixed(2)} | ${median(p99).toFixed(1)} |`)
}
