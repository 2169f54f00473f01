// Issue 18: would a Layeron-owned Node.js adapter be worth it? The docs' example
// on memory behind @hono/node-server against the same app behind the least an
// adapter can do (bench/servers/layeron-own-adapter.ts), alternated round by
// round, with the server's CPU time per response: the figure that holds up
// when other users share the cores.
//   node --import tsx bench/own-adapter.ts [rounds] [seconds]
import { loadavg } from "node:os"
import { cpuSeconds, load, median, startServer } from "./http-load.ts"

const rounds = Number(process.argv[2] ?? 5)
const seconds = Number(process.argv[3] ?? 5)
const variants: Record<string, [string, Record<string, string>]> = {
  "layeron (@hono/node-server)": ["bench/servers/layeron.ts", {}],
  "layeron (bound: least an adapter can do)": ["bench/servers/layeron-own-adapter.ts", {}],
  "layeron (bound + close handler, catch, checks)": [
    "bench/servers/layeron-own-adapter.ts",
    { BENCH_ADAPTER_DUTIES: "1" },
  ],
}
const results = new Map<string, { rps: number[]; cpu: number[] }>()
const loads: number[] = []

for (let round = 0; round < rounds; round++) {
  const order = Object.entries(variants)
  // Each variant goes first in turn, so that none always follows the same one.
  for (let shift = 0; shift < round % order.length; shift++) order.push(order.shift() as (typeof order)[number])
  for (const [name, [script, extra]] of order) {
    const server = await startServer(script, { LAYERON_KV: "memory:", ...extra })
    await load(server, { path: "/api/profile", seconds: 1, connections: 10 }) // warm-up
    loads.push(loadavg()[0] as number)
    const before = cpuSeconds(server.pid)
    const result = await load(server, { path: "/api/profile", seconds, connections: 10 })
    const cpu = cpuSeconds(server.pid) - before
    await server.stop()
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
    const entry = results.get(name) ?? { rps: [], cpu: [] }
    entry.rps.push(result.requestsPerSecond)
    entry.cpu.push((cpu * 1e6) / result.requests)
    results.set(name, entry)
    console.error(
      `round ${round + 1}: ${name} ${Math.round(result.requestsPerSecond)} req/s, ${((cpu * 1e6) / result.requests).toFixed(1)} µs`,
    )
  }
}

const [baseName, base] = [...results.entries()][0] as [string, { rps: number[]; cpu: number[] }]
console.log(
  `GET /api/profile, memory driver, ${rounds} rounds x ${seconds}s, 10 connections, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
)
console.log(`| server | req/s (median) | x ${baseName} | CPU per request (median) | x ${baseName} |`)
console.log("| --- | --- | --- | --- | --- |")
for (const [name, { rps, cpu }] of results) {
  console.log(
    `| ${name} | ${Math.round(median(rps))} | ${(median(rps) / median(base.rps)).toFixed(2)} | ${median(cpu).toFixed(1)} µs | ${(median(cpu) / median(base.cpu)).toFixed(2)} |`,
  )
}
