// The shared storage.kv conformance suite on the Workers KV driver: each store
// gets its own KV namespace in workerd (Miniflare), as each binding is on
// Cloudflare, reached from Node.js through Miniflare's bindings.
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type CloudflareKVDriver, cloudflareDriver, type KVNamespace } from "@layeron/modules/drivers/cloudflare"
import { runKVConformance, STRONG_RULES } from "@layeron/modules/testing"
import { Miniflare } from "miniflare"

/** Namespaces made up front: the suite opens about 115 stores, 51 of them at once in one rule. */
const POOL = 128

/** Why the rules of strong stores do not run here ("atomic: eventual stores" does). */
const NOT_ATOMIC =
  "Workers KV has no atomic operations: a strong store on Workers runs on Durable Objects instead (test/drivers/durable-objects)"

const bindings = Array.from({ length: POOL }, (_, index) => `NS_${index}`)

// KV's files on a RAM disk where there is one: a put then costs a third of the time.
const persist = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "layeron-cf-conformance-"))
const mf = new Miniflare({
  modules: true,
  script: "export default { fetch: () => new Response(null) }",
  compatibilityDate: "2026-04-26",
  kvNamespaces: bindings,
  kvPersist: persist,
})
await mf.ready

let handedOut = 0

/** The next namespace of the pool, emptied if an earlier store used it (stores are only ever used by one test). */
async function freshDriver(): Promise<CloudflareKVDriver> {
  const binding = bindings[handedOut++ % POOL] as string
  const namespace = (await mf.getKVNamespace(binding)) as unknown as KVNamespace
  if (handedOut > POOL) {
    let cursor: string | undefined
    do {
      const page = await namespace.list(cursor === undefined ? {} : { cursor })
      await Promise.all(page.keys.map((key) => namespace.delete(key.name)))
      cursor = page.list_complete ? undefined : page.cursor
    } while (cursor !== undefined)
  }
  return cloudflareDriver(namespace)
}

runKVConformance({
  name: "cloudflare (Workers KV in workerd)",
  driver: freshDriver,
  // The store hides an entry by its own clock and the exact expiry the driver keeps in KV's
  // metadata, so moving the store's clock works here; KV's own removal (at the stored
  // expiration, rounded up to the second) is seen with Miniflare's KV clock in
  // examples/session-auth/test/cloudflare-worker.test.ts.
  canTimeTravel: true,
  skip: {
    ...Object.fromEntries(STRONG_RULES.map((rule) => [rule, NOT_ATOMIC])),
    "limits: metadata size":
      "Workers KV's 1024 bytes of metadata also hold the content type and expiry, so user metadata near 1024 bytes is refused with KV_METADATA_TOO_LARGE before writing (the boundary is tested in driver.test.ts)",
    "ttl: non-portable":
      "Workers KV cannot expire an entry sooner than 60 s, so a portable: false store is refused on Workers (tested in driver.test.ts)",
    "sharing: second connection":
      "Workers KV is eventually consistent: a write can take up to 60 s to reach another location, so no second binding sees it 'at once' in production (Miniflare, one location, would pass and prove nothing)",
  },
  // Every operation is a round trip into workerd: fewer random runs keep the file under a minute.
  numRuns: Number(process.env.FUZZ_RUNS) || 20,
  cleanup: async () => {
    await mf.dispose()
    rmSync(persist, { recursive: true, force: true })
  },
})
