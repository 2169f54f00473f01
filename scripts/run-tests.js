// Runs every test file of the workspace with Node's test runner; TypeScript
// tests run through tsx. Arguments narrow the run to paths containing them.
import { spawnSync } from "node:child_process"
import { readdirSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const ROOTS = ["packages", "examples", "test"]
const SKIP = new Set(["node_modules", "dist", ".layeron"])

function findTests(dir) {
  const found = []
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) found.push(...findTests(path))
    else if (name.endsWith(".test.ts")) found.push(relative(process.cwd(), path))
  }
  return found
}

const filters = process.argv.slice(2)
const files = ROOTS.flatMap(findTests)
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort()
if (files.length === 0) {
  console.error("No test files matched")
  process.exit(1)
}
// test-hygiene.js fails a file that leaves an unhandled rejection or an open
// handle; --test-force-exit ends such a file instead of letting it hang.
const hygiene = fileURLToPath(new URL("./test-hygiene.js", import.meta.url))
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--import",
    hygiene,
    "--test",
    "--test-force-exit",
    "--test-reporter=spec",
    "--test-concurrency=2",
    ...files,
  ],
  {
    stdio: "inherit",
  },
)
process.exit(result.status ?? 1)
