// Profiles one benchmark server under load: runs it with --cpu-prof, drives
// autocannon at it, and prints the functions with the most self time, then
// the same grouped by package.
//   node --import tsx bench/cpu-profile.ts [server script] [seconds]   e.g.
//   LAYERON_KV=memory: node --import tsx bench/cpu-profile.ts bench/servers/layeron.ts 10
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { load, startServer } from "./http-load.ts"

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const script = process.argv[2] ?? "bench/servers/layeron.ts"
const seconds = Number(process.argv[3] ?? 10)
const dir = mkdtempSync(join(tmpdir(), "layeron-prof-"))
try {
  const server = await startServer(script, {}, ["--cpu-prof", "--cpu-prof-dir", dir])
  await load(server, { path: "/api/profile", seconds: 1, connections: 10 })
  const result = await load(server, { path: "/api/profile", seconds, connections: 10 })
  await server.stop()
  console.log(`${script}: ${Math.round(result.requestsPerSecond)} req/s under the profiler`)
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"))
  if (file === undefined) throw new Error("no profile written")
  summarize(JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile)
} finally {
  rmSync(dir, { recursive: true, force: true })
}

function where(url: string): string {
  const modules = url.lastIndexOf("node_modules/")
  if (modules !== -1) {
    const rest = url.slice(modules + "node_modules/".length).split("/")
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url)
  }
  if (url.includes("/packages/")) return `layeron:${url.slice(url.indexOf("/packages/") + 10)}`
  if (url.startsWith("node:")) return url
  return url === "" ? "(native)" : url.slice(url.lastIndexOf("/") + 1)
}

function summarize(profile: Profile): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<number, number>()
  for (const [index, id] of profile.samples.entries()) {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0))
  }
  const total = [...self.values()].reduce((sum, value) => sum + value, 0)
  const byFunction = new Map<string, number>()
  const byPlace = new Map<string, number>()
  for (const [id, time] of self) {
    const frame = (byId.get(id) as ProfileNode).callFrame
    const place = where(frame.url)
    const name = `${frame.functionName || "(anonymous)"} ${place}:${frame.lineNumber + 1}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + time)
    byPlace.set(place, (byPlace.get(place) ?? 0) + time)
  }
  const top = (map: Map<string, number>, count: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, time]) => `${((time / total) * 100).toFixed(1).padStart(5)}%  ${name}`)
      .join("\n")
  // Inclusive time: each sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const inclusive = new Map<string, number>()
  for (const [id, time] of self) {
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame
      if (frame.url === "") continue
      seen.add(`${frame.functionName || "(anonymous)"} ${where(frame.url)}:${frame.lineNumber + 1}`)
    }
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + time)
  }
  console.log(`\ntotal time (self and callees) by function:\n${top(inclusive, 40)}`)
  console.log(`\nself time by function:\n${top(byFunction, 40)}\n\nself time by package or file:\n${top(byPlace, 20)}`)
}
