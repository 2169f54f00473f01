// The shared storage.kv conformance suite on the Durable Objects driver, the
// strong stores of Workers: each store gets its own SQLite-backed Durable
// Object class in workerd (Miniflare), as each strong store does on
// Cloudflare, driven from Node.js one request per call (support/objects.ts).
import type { ListPage } from "@layeron/modules"
import { runKVConformance } from "@layeron/modules/testing"
import { type BridgeDriver, startObjects } from "./support/objects.ts"

/** Classes made up front: the suite opens about 115 stores, 51 of them at once in one rule. */
const POOL = 128

const bindings = Array.from({ length: POOL }, (_, index) => `STORE_${index}`)
const objects = await startObjects({ bindings })
let handedOut = 0

runKVConformance({
  name: "durable-objects (strong stores on Workers, in workerd)",
  driver: async () => {
    const driver = objects.driver(bindings[handedOut++ % POOL] as string)
    // The model rules open a store per run: a class used before is emptied first (a store is only ever used by one test).
    if (handedOut > POOL) {
      let cursor: string | null = null
      do {
        const page: ListPage = await driver.list({ prefix: "", limit: 1000, cursor, now: 0 })
        await Promise.all(page.entries.map((entry) => driver.delete(entry.key)))
        cursor = page.cursor
      } while (cursor !== null)
    }
    return driver
  },
  // Another isolate (another location) on the same objects: a second driver on the namespace.
  secondConnection: (first) => objects.driver((first as BridgeDriver).binding, { instance: "second" }),
  // The store hides an entry by its own clock; the objects sweep by theirs (driver.test.ts).
  canTimeTravel: true,
  skip: {
    "ttl: non-portable":
      "Workers refuses a portable: false store (the build and the Worker say so), strong or eventual, so that TTLs stay within what every Workers store keeps",
    "races: increment":
      "a second Node.js process cannot reach this workerd's objects; concurrent increments from many requests are counted in packages/cli/test/cloudflare-strong.test.ts",
    "races: add": "as races: increment (one object runs one call at a time: atomic: concurrent calls runs here)",
    "races: getAndDelete": "as races: increment",
    "races: update": "as races: increment",
  },
  // Every operation is a round trip into workerd: fewer random runs keep the file under a minute.
  numRuns: Number(process.env.FUZZ_RUNS) || 20,
  cleanup: () => objects.mf.dispose(),
})
