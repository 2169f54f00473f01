// What the shard count of a strong store on Workers costs, measured in
// workerd (Miniflare) with the driver running in the Worker, as deployed:
// increments per second from 50 concurrent callers over 200 hot keys, and
// the time of an 800-key list() page and of a 100-key getMany(), which ask
// every shard (or every shard holding a key). Locally every object shares one
// workerd thread, so the increments show little of what shards buy on
// Cloudflare (an object per thread, about 1,000 requests a second each); the
// list and getMany times show what they cost. Two runs on a loaded 2-core
// machine (OPS=50, OPS=200): list 7-18 ms on 1 shard, 14-15 on 8, 21-29 on
// 16, 35-54 on 32; getMany 5-10 ms up to 8, 8-23 past it. So DEFAULT_SHARDS
// is 8. Rounds alternate the shard counts; prints the median of each.
//   OPS=200 node --import tsx bench/durable-objects.ts
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Log, LogLevel, Miniflare } from "miniflare"

const SHARDS = [1, 2, 4, 8, 16, 32]
const ROUNDS = 5
const OPS = Number(process.env.OPS ?? 400)
const objectDir = dirname(fileURLToPath(import.meta.resolve("@layeron/modules/drivers/durable-objects")))

const script = `import { DurableObject } from "cloudflare:workers"
import { durableKVObject } from "./object.js"
import { durableObjectsDriver } from "./driver.js"
const Base = durableKVObject(DurableObject)
${SHARDS.map((shards) => `export class S${shards} extends Base {}`).join("\n")}
const entry = (text) => ({ value: new TextEncoder().encode(text), contentType: "text/plain", metadata: null, expiresAt: null, version: "v" })
async function pool(count, concurrency, run) {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < count) await run(next++) }))
}
export default {
  async fetch(request, env) {
    try { return await run(request, env) } catch (error) { return new Response(String(error.stack), { status: 500 }) }
  },
}
async function run(request, env) {
    const url = new URL(request.url)
    const shards = Number(url.searchParams.get("shards"))
    const driver = durableObjectsDriver(env["S" + shards], { shards })
    const kind = url.pathname.slice(1)
    if (kind === "fill") {
      await pool(800, 50, (index) => driver.put("key:" + String(index).padStart(5, "0"), entry("x".repeat(200))))
      return new Response("ok")
    }
    const started = performance.now()
    // A request makes at most 1000 subrequests (calls to objects): the 50 callers are 5 requests of 10.
    if (kind === "increment") await pool(Number(url.searchParams.get("ops") ?? 400), 10, (index) => driver.increment("hot:" + ((index * 7 + Number(url.searchParams.get("part"))) % 200), 1, entry("1"), Date.now()))
    if (kind === "list") await driver.list({ prefix: "key:", limit: 1000, cursor: null, now: Date.now() })
    if (kind === "getMany") await driver.getMany(Array.from({ length: 100 }, (_, index) => "key:" + String(index * 8).padStart(5, "0")))
    return Response.json(performance.now() - started)
}
`

const mf = new Miniflare({
  modules: true,
  script,
  scriptPath: join(objectDir, "bench-worker.js"),
  modulesRoot: join(objectDir, "..", "..", ".."),
  modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
  compatibilityDate: "2026-04-26",
  log: new Log(LogLevel.WARN),
  // No Request.cf download from workers.cloudflare.com.
  cf: false,
  durableObjects: Object.fromEntries(
    SHARDS.map((shards) => [`S${shards}`, { className: `S${shards}`, useSQLite: true }]),
  ),
})
const url = await mf.ready
const ask = async (path: string) => (await mf.dispatchFetch(new URL(path, url))).json() as Promise<number>

for (const shards of SHARDS) {
  if (process.env.DEBUG) console.error("fill", shards)
  const filled = await mf.dispatchFetch(new URL(`/fill?shards=${shards}`, url))
  if (!filled.ok) throw new Error(await filled.text())
}
const times: Record<string, number[]> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const shards of SHARDS) {
    for (const kind of ["increment", "list", "getMany"]) {
      const key = `${kind}/${shards}`
      times[key] ??= []
      const started = performance.now()
      if (process.env.DEBUG) console.error(round, shards, kind)
      if (kind === "increment") {
        await Promise.all(
          Array.from({ length: 5 }, (_, part) => ask(`/increment?shards=${shards}&part=${part}&ops=${OPS}`)),
        )
        times[key].push(performance.now() - started)
      } else times[key].push(await ask(`/${kind}?shards=${shards}`))
    }
  }
}
await mf.dispose()

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
console.log("| shards | increments/s (50 callers, 200 keys) | list() 800 keys | getMany() 100 keys |")
console.log("| ---: | ---: | ---: | ---: |")
for (const shards of SHARDS) {
  const increments = 2000 / (median(times[`increment/${shards}`] ?? []) / 1000)
  const list = median(times[`list/${shards}`] ?? [])
  const getMany = median(times[`getMany/${shards}`] ?? [])
  console.log(`| ${shards} | ${Math.round(increments)} | ${list.toFixed(1)} ms | ${getMany.toFixed(1)} ms |`)
}
