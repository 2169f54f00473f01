// What one middleware costs a request: the same GET route in two apps, one
// with an empty `app.use("/api/*", (request, ctx, next) => next())` before
// it, `app.fetch` in-process, alternated round by round. Requests are made
// before each round's timing, so only Layeron's path and the Response count.
//   node --import tsx bench/middleware-cost.ts [rounds] [requests a round]
import { loadavg } from "node:os"
import { type AnyBackend, backend } from "@layeron/core"
import { median } from "./stats.ts"

const rounds = Number(process.argv[2] ?? 21)
const perRound = Number(process.argv[3] ?? 2000)

const plain = backend()
plain.get("/api/profile", () => Response.json({ ok: true }))
const guarded = backend()
guarded.use("/api/*", (_request, _ctx, next) => next())
guarded.get("/api/profile", () => Response.json({ ok: true }))
const apps: Record<string, AnyBackend> = {
  "no middleware": plain as unknown as AnyBackend,
  "one empty middleware": guarded as unknown as AnyBackend,
}

const cpu: Record<string, number[]> = {}
const added: number[] = []
for (let round = 0; round < rounds; round++) {
  const names = Object.keys(apps)
  if (round % 2 === 1) names.reverse()
  const perApp: Record<string, number> = {}
  for (const name of names) {
    const requests = Array.from({ length: perRound }, () => new Request("http://localhost/api/profile"))
    const before = process.cpuUsage()
    for (const request of requests) {
      const response = await (apps[name] as AnyBackend).fetch(request)
      if (response.status !== 200) throw new Error(`${name} answered ${response.status}`)
    }
    const used = process.cpuUsage(before)
    perApp[name] = (used.user + used.system) / perRound
    cpu[name] ??= []
    cpu[name].push(perApp[name])
  }
  added.push((perApp["one empty middleware"] as number) - (perApp["no middleware"] as number))
}
console.log(`${rounds} rounds of ${perRound} requests, load average ${loadavg()[0]?.toFixed(1)}`)
for (const [name, values] of Object.entries(cpu)) console.log(`${name}: ${median(values).toFixed(2)} µs CPU a request`)
console.log(`the middleware adds ${median(added).toFixed(2)} µs a request (median of the rounds' differences)`)
