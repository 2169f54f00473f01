// Memory: bytes per session in Layeron's memory driver (measured in a child
// process after forced GCs), and in Redis per session (INFO used_memory over
// many sessions, and MEMORY USAGE of one key).
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { kv } from "@layeron/modules"
import { redisDriver } from "@layeron/modules/drivers/redis"
import { toRedisKey } from "../packages/modules/src/kv/drivers/redis/keys.ts"
import { redisInfo } from "./redis.ts"
import type { RunContext, Section } from "./report.ts"
import { sessionJson, sessionKey } from "./sqlite-fill.ts"
import { bytes, count, table } from "./stats.ts"

const run = promisify(execFile)

interface Probe {
  sessions: number
  valueBytes: number
  keyChars: number
  mapBytes: number
  layeronBytes: number
}

async function memoryDriverBytes(sessions: number): Promise<Probe> {
  const { stdout } = await run(
    process.execPath,
    ["--expose-gc", "--import", "tsx", "bench/memory-probe.ts", String(sessions)],
    {
      maxBuffer: 1024 * 1024,
    },
  )
  return JSON.parse(stdout) as Probe
}

async function redisBytes(context: RunContext, sessions: number) {
  await context.redis.cli("flushall")
  const usedMemory = async () => Number(await redisInfo(context.redis, "memory", "used_memory"))
  const before = await usedMemory()
  const driver = await redisDriver({ url: context.redis.url })
  const store = kv({ name: "user-sessions", namespace: "auth", ttlSeconds: 86_400, driver })
  for (let start = 0; start < sessions; start += 500) {
    const end = Math.min(sessions, start + 500)
    const puts: Promise<void>[] = []
    for (let index = start; index < end; index++) {
      puts.push(store.put(sessionKey(index), sessionJson(index), { contentType: "application/json" }))
    }
    await Promise.all(puts)
  }
  const perSession = ((await usedMemory()) - before) / sessions
  const oneKey = toRedisKey(`auth/user-sessions/${sessionKey(0)}`)
  const memoryUsage = Number((await context.redis.cli("memory", "usage", oneKey)).trim())
  const stored = Number((await context.redis.cli("strlen", oneKey)).trim())
  await store.close()
  await driver.close()
  await context.redis.cli("flushall")
  return { perSession, memoryUsage, stored, keyBytes: Buffer.byteLength(oneKey) }
}

export async function memorySection(context: RunContext): Promise<Section> {
  const sessions = context.quick ? 100_000 : 1_000_000
  const probe = await memoryDriverBytes(sessions)
  context.log("memory: driver measured")
  const redis = await redisBytes(context, context.quick ? 20_000 : 200_000)
  context.log("memory: redis measured")
  const body = [
    `${count(sessions)} sessions of ${probe.valueBytes} bytes of JSON under ${probe.keyChars}-character keys, ` +
      "in a child process; heap plus ArrayBuffer memory after forced garbage collections, divided by the count.",
    "",
    table(
      ["where", "bytes per session"],
      [
        ["Layeron memory driver (entry object, value bytes, scoped key)", bytes(probe.layeronBytes)],
        ["a plain Map of the same JSON strings, for scale", bytes(probe.mapBytes)],
        [
          `Redis, INFO used_memory over ${count(context.quick ? 20_000 : 200_000)} sessions put through the driver`,
          bytes(redis.perSession),
        ],
        [
          `Redis, MEMORY USAGE of one entry (a ${redis.keyBytes}-byte key, ${redis.stored} bytes stored)`,
          bytes(redis.memoryUsage),
        ],
      ],
    ),
  ].join("\n")
  return { title: "Memory per session", body, targets: [] }
}
