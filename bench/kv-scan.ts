// Reading every entry of the docs' session store FROM Redis, as `layeron kv
// export|copy` do: ordered list pages (each a full SCAN of the store) against
// the store's unordered walk (one SCAN per master), both with getMany per
// batch, in this process on one filled server, alternated; then the real
// `layeron kv export` from Redis, which takes the walk.
//
//   node --import tsx bench/kv-scan.ts [--entries 100000] [--rounds 1]
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { kv } from "@layeron/modules"
import { redisDriver } from "@layeron/modules/drivers/redis"
import { RedisServer } from "@layeron/test-support/redis-server"
import { readEntries } from "../packages/cli/dist/kv/read-entries.js"
import { fillSessions } from "./sqlite-fill.ts"

const { values } = parseArgs({ options: { entries: { type: "string" }, rounds: { type: "string" } } })
const ENTRIES = Number(values.entries ?? 100_000)
const ROUNDS = Number(values.rounds ?? 1)
const root = fileURLToPath(new URL("..", import.meta.url))
const cli = join(root, "packages/cli/dist/cli.js")
const app = join(root, "examples/session-auth/app.ts")
const DAY = 24 * 60 * 60 * 1000
const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(", ")

const dir = mkdtempSync(join(tmpdir(), "layeron-kv-scan-"))
const redis = await new RedisServer().start()
try {
  const source = join(dir, "source.db")
  const now = Date.now()
  fillSessions(source, ENTRIES, (index) => now + (index % 2 === 0 ? DAY : 30 * DAY))
  const copy = spawnSync(process.execPath, [cli, "kv", "copy", app, "--from", `sqlite:${source}`, "--to", redis.url])
  if (copy.status !== 0) throw new Error(`copy failed: ${copy.stderr}`)
  console.log(`${ENTRIES.toLocaleString("en")} sessions in Redis; load average (1, 5, 15 min): ${load()}\n`)
  const driver = await redisDriver({ url: redis.url })
  const store = kv({ name: "user-sessions", namespace: "auth", driver })
  const seconds: Record<string, number[]> = { "list pages (before)": [], "unordered walk (after)": [] }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [what, ordered] of [
      ["unordered walk (after)", false],
      ["list pages (before)", true],
    ] as const) {
      const started = performance.now()
      let read = 0
      for await (const page of readEntries(store as never, "", { ordered })) read += page.length
      if (read !== ENTRIES) throw new Error(`${what} read ${read} of ${ENTRIES}`)
      seconds[what]?.push((performance.now() - started) / 1000)
    }
  }
  await store.close()
  await driver.close()
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number
  const before = median(seconds["list pages (before)"] ?? [])
  const after = median(seconds["unordered walk (after)"] ?? [])
  console.log("| read of every entry | seconds | entries/s | x walk |\n| --- | --: | --: | --: |")
  for (const [what, value] of [
    ["list pages (before)", before],
    ["unordered walk (after)", after],
  ] as const) {
    console.log(
      `| ${what} | ${value.toFixed(1)} | ${Math.round(ENTRIES / value).toLocaleString("en")} | ${(value / after).toFixed(1)}x |`,
    )
  }
  const started = performance.now()
  const exported = spawnSync(process.execPath, [cli, "kv", "export", app, "auth/user-sessions"], {
    env: { ...process.env, LAYERON_KV: redis.url },
    maxBuffer: 1 << 30,
  })
  if (exported.status !== 0) throw new Error(`export failed: ${exported.stderr}`)
  const wall = (performance.now() - started) / 1000
  console.log(
    `\n\`layeron kv export\` from Redis (the walk): ${wall.toFixed(1)} s, ${Math.round(ENTRIES / wall).toLocaleString("en")} entries/s`,
  )
  console.log(`load average at the end: ${load()}`)
} finally {
  await redis.dispose()
  rmSync(dir, { recursive: true, force: true })
}
