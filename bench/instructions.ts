// Instructions per request: each server runs under valgrind's callgrind, which
// counts the machine instructions its process executes in user space (every
// thread; the kernel's share, system calls and TCP, is left out). A count does
// not depend on what else the machine is doing, so two servers compare to
// within a fraction of a percent on a busy, shared machine where req/s rounds
// differ by 30 %. Each server is loaded with GET /api/profile in batches:
// the first ones warm it up (JIT), then the median of the next ones counts
// (a batch that holds a full garbage collection counts more than one without).
//   node --import tsx bench/instructions.ts [requests a batch] 'name=script|ENV=value,...' ...
//   node --import tsx bench/instructions.ts 10000 \
//     'docs=bench/servers/layeron.ts|LAYERON_KV=memory:' 'sessions=bench/servers/layeron-sessions.ts|LAYERON_KV=memory:'
// Needs valgrind (apt-get install valgrind). Under it a server runs about 50x slower:
// a batch of 10,000 requests takes 20-30 s.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { load, parseServerSpec, type RunningServer, startServer } from "./http-load.ts"
import { median } from "./stats.ts"

const batch = Number(process.argv[2] ?? 10_000)
const specs = process.argv.slice(3)
if (specs.length === 0) throw new Error("give one or more servers: 'name=script|ENV=value,...'")

// V8 without its background threads and with fixed seeds: two processes of the same server then agree
// within 0.2 % (89,436 and 89,302), where without these flags they differed by up to 6 %. NODE_FLAGS replaces them.
const nodeFlags = (process.env.NODE_FLAGS ?? "--predictable --random-seed=1 --hash-seed=1")
  .split(" ")
  .filter((flag) => flag !== "")
const WARM_UP_BATCHES = 3
const MEASURED_BATCHES = 3
// KEEP=1 keeps callgrind's dumps (callgrind_annotate reads them) and says where.
const keep = process.env.KEEP === "1"

/** The instructions callgrind counted since it was last zeroed, read from the dump it writes now. */
function dumpCount(pid: number, dir: string): number {
  execFileSync("callgrind_control", ["--dump", String(pid)], { stdio: "ignore" })
  const dumps = readdirSync(dir)
    .filter((name) => name.startsWith(`cg.${pid}.`))
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  const newest = dumps[0]
  if (newest === undefined) throw new Error(`callgrind wrote no dump for ${pid}`)
  const summary = /^summary: (\d+)$/m.exec(readFileSync(newest, "utf8"))
  if (summary === null) throw new Error(`no summary line in ${newest}`)
  return Number(summary[1])
}

async function measure(name: string, script: string, env: Record<string, string>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "layeron-callgrind-"))
  const wrapper = [
    "valgrind",
    "--tool=callgrind",
    // Node.js writes machine code as it runs (the JIT): valgrind must watch for it.
    "--smc-check=all-non-file",
    `--callgrind-out-file=${dir}/cg.%p`,
    `--log-file=${dir}/valgrind.log`,
  ]
  let server: RunningServer | undefined
  try {
    server = await startServer(script, env, nodeFlags, wrapper)
    const perRequest: number[] = []
    for (let index = 0; index < WARM_UP_BATCHES + MEASURED_BATCHES; index++) {
      execFileSync("callgrind_control", ["--zero", String(server.pid)], { stdio: "ignore" })
      const result = await load(server, { path: "/api/profile", amount: batch, connections: 10 })
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
      }
      const count = dumpCount(server.pid, dir) / result.requests
      if (index >= WARM_UP_BATCHES) perRequest.push(count)
      process.stderr.write(`[instructions] ${name}: batch ${index + 1}, ${Math.round(count)} a request\n`)
    }
    return median(perRequest)
  } finally {
    await server?.stop()
    if (keep) process.stderr.write(`[instructions] ${name}: callgrind's dumps are in ${dir}\n`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

const counts: { name: string; perRequest: number }[] = []
for (const spec of specs) {
  const { name, script, env } = parseServerSpec(spec)
  counts.push({ name, perRequest: await measure(name, script, env) })
}
const first = counts[0] as { perRequest: number }
console.log(`instructions per GET /api/profile (user space, callgrind; batches of ${batch})`)
for (const { name, perRequest } of counts) {
  const ratio = (perRequest / first.perRequest).toFixed(2)
  console.log(`${name.padEnd(24)} ${Math.round(perRequest).toLocaleString("en")} (${ratio}x the first)`)
}
