// Two or more HTTP servers against each other, alternated round by round:
// GET /api/profile with 10 connections (CONNECTIONS=n), 4 s a round, the order rotating; the
// median req/s and server CPU per request of each, and every round's req/s. For A/B checks of one change
// (BENCHMARKS.md cites its runs); `npm run bench` is the full comparison.
//   node --import tsx bench/http-ab.ts [rounds] 'name=script|ENV=value,ENV=value' ...
//   node --import tsx bench/http-ab.ts 5 \
//     'raw=bench/servers/raw-node-storage.ts|BENCH_BACKEND=sqlite,BENCH_SQLITE_PATH=/tmp/raw.db' \
//     'layeron=bench/servers/layeron.ts|LAYERON_KV=sqlite:/tmp/layeron.db'
import { loadavg } from "node:os"
import { cpuSeconds, load, parseServerSpec, type RunningServer, startServer } from "./http-load.ts"
import { median } from "./stats.ts"

const rounds = Number(process.argv[2] ?? 5)
const specs = process.argv.slice(3)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10)
if (specs.length < 2) throw new Error("give at least two servers: 'name=script|ENV=value,...'")

const servers: { name: string; server: RunningServer }[] = []
try {
  for (const spec of specs) {
    const { name, script, env } = parseServerSpec(spec)
    servers.push({ name, server: await startServer(script, env) })
  }
  for (const { server } of servers) await load(server, { path: "/api/profile", seconds: 1, connections: CONNECTIONS })
  const rates: Record<string, number[]> = {}
  // The server's CPU time per response (µs): steadier than req/s where the load generator shares the cores.
  const cpu: Record<string, number[]> = {}
  for (let round = 0; round < rounds; round++) {
    for (let step = 0; step < servers.length; step++) {
      const { name, server } = servers[(step + round) % servers.length] as (typeof servers)[number]
      const cpuBefore = cpuSeconds(server.pid)
      const result = await load(server, { path: "/api/profile", seconds: 4, connections: CONNECTIONS })
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
      rates[name] ??= []
      rates[name].push(result.requestsPerSecond)
      cpu[name] ??= []
      cpu[name].push(((cpuSeconds(server.pid) - cpuBefore) * 1e6) / result.requests)
    }
  }
  console.log(`${rounds} rounds, load average ${loadavg()[0]?.toFixed(1)} at the end`)
  for (const [name, values] of Object.entries(rates)) {
    const each = values.map((value) => Math.round(value)).join(" ")
    const perRequest = median(cpu[name] as number[]).toFixed(1)
    console.log(
      `${name.padEnd(20)} ${Math.round(median(values))} req/s, ${perRequest} µs CPU a request (rounds: ${each})`,
    )
  }
} finally {
  for (const { server } of servers) await server.stop()
}
