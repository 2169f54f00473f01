// Run in its own process with --expose-gc: bytes per session held by
// Layeron's memory driver, against a Map of the same JSON strings.
//   node --expose-gc --import tsx bench/memory-probe.ts <sessions>
import { kv } from "@layeron/modules"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { sessionJson, sessionKey } from "./sqlite-fill.ts"

const sessions = Number(process.argv[2] ?? 100_000)
const collect = (globalThis as { gc?: () => void }).gc
if (collect === undefined) throw new Error("run with --expose-gc")

function used(): number {
  collect?.()
  collect?.()
  const memory = process.memoryUsage()
  return memory.heapUsed + memory.arrayBuffers
}

// A Map<string, string> of the JSON itself: the least a JavaScript process can hold.
let before = used()
const map = new Map<string, string>()
for (let index = 0; index < sessions; index++) map.set(`auth/user-sessions/${sessionKey(index)}`, sessionJson(index))
const mapBytes = (used() - before) / sessions
map.clear()

before = used()
const driver = memoryDriver()
const store = kv({ name: "user-sessions", namespace: "auth", ttlSeconds: 86_400, driver })
for (let index = 0; index < sessions; index++) {
  await store.put(sessionKey(index), sessionJson(index), { contentType: "application/json" })
}
const layeronBytes = (used() - before) / sessions
if (driver.size !== sessions) throw new Error(`the driver holds ${driver.size} entries`)
const valueBytes = Buffer.byteLength(sessionJson(sessions - 1)) // about the same for every session
process.stdout.write(
  `${JSON.stringify({ sessions, valueBytes, keyChars: sessionKey(0).length, mapBytes, layeronBytes })}\n`,
)
await store.close()
driver.close()
