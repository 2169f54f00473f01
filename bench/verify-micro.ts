// verify() of a Bearer request in a loop against the docs' read (get + json()),
// alternated, on the memory driver: µs of CPU per call, median of the rounds.
//   node --import tsx bench/verify-micro.ts [rounds] [calls a round]
import { auth, storage } from "@layeron/modules"
import { median } from "./stats.ts"

const rounds = Number(process.argv[2] ?? 15)
const calls = Number(process.argv[3] ?? 20_000)

const sessions = auth.sessions<{ email: string }>({ maxAgeSeconds: 90 * 24 * 60 * 60 })
await sessions.start({ env: { LAYERON_KV: "memory:" }, runtime: "node" })
const { token } = await sessions.create({ userId: "bench@example.com", data: { email: "bench@example.com" } })
const store = storage.kv({ name: "docs", ttlSeconds: 86400 })
await store.start({ env: { LAYERON_KV: "memory:" }, runtime: "node" })
const docsToken = crypto.randomUUID()
await store.put(`session:${docsToken}`, JSON.stringify({ userId: "u", email: "bench@example.com", roles: ["admin"] }))

const sessionsRequest = new Request("http://localhost/api/profile", { headers: { authorization: `Bearer ${token}` } })
const docsRequest = new Request("http://localhost/api/profile", { headers: { authorization: `Bearer ${docsToken}` } })

const variants: Record<string, () => Promise<unknown>> = {
  docs: async () => {
    const header = docsRequest.headers.get("authorization") as string
    const handle = await store.get(`session:${header.split(" ")[1]}`)
    return handle?.json()
  },
  verify: () => sessions.verify(sessionsRequest),
}
const only = process.env.ONLY
const names = only ? [only] : Object.keys(variants)
const times: Record<string, number[]> = {}
for (let round = 0; round < rounds; round++) {
  for (const name of round % 2 === 0 ? names : [...names].reverse()) {
    const run = variants[name] as () => Promise<unknown>
    const start = process.cpuUsage()
    for (let index = 0; index < calls; index++)
      if (((await run()) ?? null) === null) throw new Error(`${name} found nothing`)
    const used = process.cpuUsage(start)
    times[name] = [...(times[name] ?? []), (used.user + used.system) / calls]
  }
}
for (const name of names) console.log(`${name.padEnd(8)} ${median(times[name] as number[]).toFixed(2)} µs`)
