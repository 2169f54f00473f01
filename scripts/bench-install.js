// Installs bench/'s own dependencies (the peers the benchmarks compare
// against: Express, Fastify, Keyv, unstorage, ...) so that the root install,
// which the example needs, never pulls them. Runs `npm ci` in bench/ only when
// its lock file is newer than its last install, then typechecks the benchmarks.
// wrk (the HTTP latency phase's load generator, a Debian package) is installed
// with apt-get when it is missing and this runs as root; otherwise it says how.
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

const hasWrk = spawnSync("wrk", ["--version"], { stdio: "ignore" }).error === undefined
if (!hasWrk) {
  const canInstall = process.getuid?.() === 0 && spawnSync("apt-get", ["--version"], { stdio: "ignore" }).status === 0
  if (canInstall) {
    console.error("Installing wrk (apt-get) for the HTTP benchmark's latency phase ...")
    spawnSync("apt-get", ["install", "-y", "-qq", "wrk"], { stdio: "inherit" })
  } else {
    console.error("wrk is not installed: the HTTP benchmark skips its p99 in microseconds (apt-get install wrk).")
  }
}
