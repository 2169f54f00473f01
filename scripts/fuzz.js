// The long runs of the property tests: the router against its model, storage.kv
// against its model on memory and SQLite (the conformance suite), and store
// isolation under random adversarial names on memory, SQLite and Redis.
// `npm test` runs the same tests briefly; this sets FUZZ_RUNS, which they read.
//   npm run fuzz            2,000 runs each
//   npm run fuzz -- 20000   more
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const FILES = [
  "packages/core/test/router-fuzz.test.ts",
  "packages/modules/test/drivers/memory/conformance.test.ts",
  "packages/modules/test/drivers/sqlite/conformance.test.ts",
  "packages/modules/test/redact.test.ts",
  "packages/modules/test/testing/conformance/store-isolation.test.ts",
]

const runs = process.argv[2] ?? process.env.FUZZ_RUNS ?? "2000"
if (!/^[1-9]\d*$/.test(runs)) {
  console.error(`fuzz: the number of runs must be a positive whole number, got "${runs}"`)
  process.exit(1)
}
console.log(`fuzz: FUZZ_RUNS=${runs}`)
const runner = fileURLToPath(new URL("./run-tests.js", import.meta.url))
const result = spawnSync(process.execPath, [runner, ...FILES], {
  stdio: "inherit",
  env: { ...process.env, FUZZ_RUNS: runs },
})
process.exit(result.status ?? 1)
