// `npm run bench`: every comparison side by side in one run, printed as the
// markdown that BENCHMARKS.md holds.
//   npm run bench                      the full run
//   npm run bench -- --quick           under 2 minutes: fewer, shorter rounds; no 10M-row file
//   npm run bench -- --only http,scale one or more sections: http, storage, scale, sweep, memory, postgres, atomic (in storage too)
//   npm run bench -- --out FILE        also write the markdown to FILE
//   BENCH_HTTP_ONLY=memory,sqlite      only the HTTP servers whose name or backend has one of the words (and raw)
// Other tools here: cpu-profile.ts (a server under load with --cpu-prof), adapter.ts, redis-*.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { httpSection } from "./http.ts"
import { describeMachine } from "./machine.ts"
import { memorySection } from "./memory.ts"
import { postgresSection } from "./postgres.ts"
import { startBenchRedis } from "./redis.ts"
import type { RunContext, Section } from "./report.ts"
import { scaleSection } from "./scale.ts"
import { table } from "./stats.ts"
import { storageSection } from "./storage.ts"
import { atomicSection } from "./storage-atomic.ts"
import { sweepSection } from "./sweep.ts"

const SECTIONS: Record<string, (context: RunContext) => Promise<Section>> = {
  http: httpSection,
  storage: storageSection,
  atomic: atomicSection,
  scale: scaleSection,
  sweep: sweepSection,
  memory: memorySection,
  postgres: postgresSection,
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name)
  return index === -1 ? undefined : process.argv[index + 1]
}

const quick = process.argv.includes("--quick")
const only = option("--only")?.split(",") ?? Object.keys(SECTIONS)
for (const name of only) if (!(name in SECTIONS)) throw new Error(`no section "${name}"; use ${Object.keys(SECTIONS)}`)
const out = option("--out")

const started = performance.now()
const dir = mkdtempSync(join(tmpdir(), "layeron-bench-"))
const redis = await startBenchRedis()
const context: RunContext = { quick, dir, redis, log: (message) => process.stderr.write(`[bench] ${message}\n`) }
const sections: Section[] = []
let machine = ""
try {
  machine = await describeMachine(redis)
  for (const name of only) {
    const sectionStart = performance.now()
    sections.push(await (SECTIONS[name] as (context: RunContext) => Promise<Section>)(context))
    context.log(`${name}: ${((performance.now() - sectionStart) / 1000).toFixed(0)} s`)
  }
} finally {
  await redis.dispose()
  rmSync(dir, { recursive: true, force: true })
}

const seconds = (performance.now() - started) / 1000
const shown = process.argv.slice(2).filter((arg, index, args) => arg !== "--out" && args[index - 1] !== "--out")
const command = `npm run bench${shown.length > 0 ? ` -- ${shown.join(" ")}` : ""}`
const targets = sections.flatMap((section) => section.targets)
const markdown = [
  `Run: \`${command}\`, ${new Date().toISOString()}, ${seconds.toFixed(0)} s${quick ? " (quick mode)" : ""}.`,
  `Load average at the end: ${loadavg()
    .map((value) => value.toFixed(2))
    .join(", ")}.`,
  "",
  machine,
  "",
  "### Targets",
  "",
  table(
    ["target", "measured", "met"],
    targets.map((target) => [target.goal, target.measured, target.met ? "yes" : "**no**"]),
  ),
  ...sections.flatMap((section) => ["", `### ${section.title}`, "", section.body]),
  "",
].join("\n")
process.stdout.write(markdown)
if (out !== undefined) writeFileSync(out, markdown)
