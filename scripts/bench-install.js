// Installs bench/'s own dependencies (the peers the benchmarks compare
// against: Express, Fastify, Keyv, unstorage, ...) so that the root install,
// which the example needs, never pulls them. Runs `npm ci` in bench/ only when
// its lock file is newer than its last install, then typechecks the benchmarks.
import { spawnSync } from "node:child_process"
import { existsSync, statSync } from "node:fs"
import { fileURLToPath } from "node:url"

const bench = fileURLToPath(new URL("../bench/", import.meta.url))
const lock = `${bench}package-lock.json`
const installed = `${bench}node_modules/.package-lock.json`

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: "inherit" })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.error("Installing the benchmarks' dependencies in bench/ (once) ...")
  run("npm", ["ci", "--no-audit", "--no-fund"], bench)
}
run(
  process.execPath,
  [fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url)), "-p", bench],
  bench,
)
