// Run in its own process with --expose-gc: bytes per session held by
// Layeron's memory driver, against a Map of the same JSON strings.
//   node --expose-gc --import tsx bench/memory-probe.ts <sessions>
import { kv } from "@layeron/modules"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { sessionKey } from "./sqlite-fill.ts"

const sessions = Number(process.argv[2] ?? 100_000)
const collect = (globalThis as { gc?: () => void }).gc
if (collect === undefined) throw new Error("run with --expose-gc")

function used(): number {
  collect?.()
  collect?.()
  const memory = process.memoryUsage()
  return memory.heapUsed + memory.arrayBuffers
}

const session = (index: number) =>
  JSON.stringify({
    userId: `usr_${index}`,
    email: "ada@example.com",
    roles: ["admin"],
    createdAt: new Date(index).toISOString(),
  })

// A Map<string, string> of the JSON itself: the least a JavaScript process can hold.
let before = used()
const map = new Map<string, string>()
for (let index = 0; index < sessions; index++) map.set(`auth/user-sessions/${sessionKey(index)}`, session(index))
const mapBytes = (used() - before) / sessions
map.clear()

before = used()
const driver = memoryDriver()
const store = kv({ name: "user-sessions", namespace: "auth", ttlSeconds: 86_400, driver })
for (let index = 0; index < sessions; index++) {
  await store.put(sessionKey(index), session(index), { contentType: "application/json" })
}
const layeronBytes = (used() - before) / sessions
if (driver.size !== sessions) throw new Error(`the driver holds ${driver.size} entries`)
const valueBytes = Buffer.byteLength(session(sessions - 1)) // about the same for every session
process.stdout.write(
  `${JSON.stringify({ sessions, valueBytes, keyChars: sessionKey(0).length, mapBytes, layeronBytes })}\n`,
)
await store.close()
driver.close()
