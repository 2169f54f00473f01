// Store isolation under adversarial names, on every driver that runs here
// (memory, SQLite, a real redis-server): random namespaces, names and keys
// built from the characters that scoping schemes trip on (separators, `%`
// escapes, hash-tag braces, glob characters, NUL, newlines, non-ASCII), many
// stores on one backend, each checked against a model of its own keys only.
// The conformance suite tests a fixed list of such names; this draws them at
// random. Short runs here; `npm run fuzz` sets FUZZ_RUNS.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { type KVDriver, KVStore } from "@layeron/modules"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { redisDriver } from "@layeron/modules/drivers/redis"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import { RedisServer } from "@layeron/test-support/redis-server"
import fc from "fast-check"

const RUNS = Math.max(5, Math.round((Number(process.env.FUZZ_RUNS) || 100) / 2))

const TRICKY = ["a", "b", "/", "%", "2", "F", ":", "{", "}", "\u0000", "\n", "é", "😀", ".", " ", "*", "?", "[", "\\"]
const textArbitrary = (maxLength: number) => fc.string({ unit: fc.constantFrom(...TRICKY), minLength: 1, maxLength })
const keyArbitrary = textArbitrary(8).filter((key) => key !== "." && key !== "..")

interface Scenario {
  /** Distinct (namespace, name) pairs. */
  stores: [namespace: string, name: string][]
  /** Writes and deletes, each by one store. */
  operations: { store: number; key: string; remove: boolean }[]
}

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .uniqueArray(fc.tuple(textArbitrary(5), textArbitrary(5)), {
    minLength: 2,
    maxLength: 5,
    selector: (pair) => JSON.stringify(pair),
  })
  .chain((stores) =>
    fc.record({
      stores: fc.constant(stores),
      operations: fc.array(
        fc.record({ store: fc.nat({ max: stores.length - 1 }), key: keyArbitrary, remove: fc.boolean() }),
        { minLength: 1, maxLength: 30 },
      ),
    }),
  )

async function checkIsolation(driver: KVDriver, scenario: Scenario): Promise<void> {
  const stores = scenario.stores.map(([namespace, name]) => new KVStore({ namespace, name, driver }))
  const model = stores.map(() => new Map<string, string>())
  try {
    for (const { store, key, remove } of scenario.operations) {
      const own = model[store] as Map<string, string>
      if (remove) {
        await (stores[store] as KVStore).delete(key)
        own.delete(key)
      } else {
        const value = `${store}|${key}`
        await (stores[store] as KVStore).put(key, value)
        own.set(key, value)
      }
    }
    const everyKey = [...new Set(scenario.operations.map((operation) => operation.key))]
    for (const [index, store] of stores.entries()) {
      const own = model[index] as Map<string, string>
      const where = `store ${JSON.stringify(scenario.stores[index])}`
      const listed = (await store.list()).keys.map((key) => key.name)
      assert.deepEqual(listed.sort(), [...own.keys()].sort(), `${where} lists exactly its own keys`)
      const found = await store.getMany(everyKey)
      for (const key of everyKey) {
        const handle = found.get(key)
        assert.equal(handle ? await handle.text() : null, own.get(key) ?? null, `${where} key ${JSON.stringify(key)}`)
        assert.equal(await store.has(key), own.has(key), `${where} has ${JSON.stringify(key)}`)
      }
    }
  } finally {
    // Leave the backend empty for the next run, whose names may be the same.
    for (const [index, store] of stores.entries()) {
      for (const key of (model[index] as Map<string, string>).keys()) await store.delete(key)
    }
  }
}

function isolationProperty(name: string, open: () => Promise<KVDriver>, close: () => Promise<void> | void) {
  describe(`store isolation on ${name}`, () => {
    let driver: KVDriver
    before(async () => {
      driver = await open()
    })
    after(async () => {
      await driver?.close()
      await close()
    })
    it(`holds for random adversarial namespaces, names and keys (${RUNS} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArbitrary, (scenario) => checkIsolation(driver, scenario)),
        { numRuns: RUNS },
      )
      // Nothing is left behind, whatever the names were.
      assert.deepEqual((await driver.list({ prefix: "", limit: 10, cursor: null, now: Date.now() })).entries, [])
    })
  })
}

isolationProperty(
  "memory",
  async () => memoryDriver(),
  () => {},
)

const sqliteDir = mkdtempSync(join(tmpdir(), "layeron-isolation-"))
isolationProperty(
  "sqlite",
  async () => sqliteDriver({ path: join(sqliteDir, "kv.db") }),
  () => rmSync(sqliteDir, { recursive: true, force: true }),
)

let redis: RedisServer | undefined
isolationProperty(
  "redis",
  async () => {
    redis = await new RedisServer().start()
    return redisDriver({ url: redis.url })
  },
  async () => {
    await redis?.dispose()
  },
)
