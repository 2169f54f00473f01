// The machine and the versions a run measured, for the report's header.
import { readFileSync } from "node:fs"
import { cpus, freemem, loadavg, release, totalmem } from "node:os"
import { fileURLToPath } from "node:url"
import type { RedisServer } from "@layeron/test-support/redis-server"
import { redisInfo } from "./redis.ts"
import { bytes, table } from "./stats.ts"

const PACKAGES = [
  "@layeron/core",
  "@layeron/modules",
  "better-sqlite3",
  "ioredis",
  "hono",
  "@hono/node-server",
  "unstorage",
  "db0",
  "fastify",
  "@fastify/session",
  "@fastify/cookie",
  "express",
  "express-session",
  "connect-redis",
  "redis",
  "keyv",
  "@keyv/sqlite",
  "@keyv/redis",
  "sqlite3",
  "autocannon",
]

/** The version installed for the benchmarks: the peers in bench/node_modules, the framework's clients in the root's. */
function versionOf(name: string): string {
  for (const folder of ["./node_modules", "../node_modules"]) {
    try {
      const path = fileURLToPath(new URL(`${folder}/${name}/package.json`, import.meta.url))
      return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version
    } catch {}
  }
  return "not installed"
}

function osName(): string {
  try {
    const line = readFileSync("/etc/os-release", "utf8")
      .split("\n")
      .find((entry) => entry.startsWith("PRETTY_NAME="))
    return `${line?.slice("PRETTY_NAME=".length).replaceAll('"', "") ?? "?"}, Linux ${release()}`
  } catch {
    return `${process.platform} ${release()}`
  }
}

export async function describeMachine(redis: RedisServer): Promise<string> {
  const cpu = cpus()
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(", ")
  const rows = [
    ["CPU", `${cpu[0]?.model ?? "?"}, ${cpu.length} cores`],
    ["memory", `${bytes(totalmem())} (${bytes(freemem())} free at the start)`],
    ["OS", osName()],
    ["Node.js", process.version],
    ["SQLite (in better-sqlite3)", await sqliteVersion()],
    ["redis-server", await redisInfo(redis, "server", "redis_version")],
    ["load average at the start (1, 5, 15 min)", load],
  ]
  const versions = PACKAGES.map((name) => `${name} ${versionOf(name)}`).join(", ")
  return `${table(["", ""], rows)}\n\nPackages: ${versions}.`
}

async function sqliteVersion(): Promise<string> {
  const { default: Database } = await import("better-sqlite3")
  const db = new Database(":memory:")
  const row = db.prepare("SELECT sqlite_version() AS version").get() as { version: string }
  db.close()
  return row.version
}
