import assert from "node:assert/strict"
import { strongStore } from "./atomic.js"
import { expectKVError, rule, SECOND, type SuiteContext } from "./context.js"

const clockMoves = { movesClock: true }

export function atomicExpiryRules(t: SuiteContext): void {
  t.describe("atomic operations and expiry", () => {
    rule(
      t,
      "atomic: expired is absent",
      "treats an expired entry as absent: add, ifVersion null and increment write, getAndDelete gets nothing",
      async () => {
        const store = await strongStore(t)
        for (const key of ["add", "put", "count", "take", "stale", "update"]) {
          await store.put(key, "old", { ttlSeconds: 60 })
        }
        const stale = (await store.get("stale"))?.version as string
        t.clock.advance(60 * SECOND)
        assert.equal(await store.add("add", "new"), true, "add writes over an expired entry")
        assert.equal(await (await store.get("add"))?.text(), "new")
        await store.put("put", "new", { ifVersion: null })
        assert.equal(await (await store.get("put"))?.text(), "new", "ifVersion null writes over an expired entry")
        assert.equal(await store.increment("count", 5), 5, "an expired value is no obstacle to a new counter")
        assert.equal(await store.getAndDelete("take"), null, "an expired entry is not handed out")
        await expectKVError(() => store.put("stale", "x", { ifVersion: stale }), "KV_CONFLICT")
        await expectKVError(() => store.delete("stale", { ifVersion: stale }), "KV_CONFLICT")
        let given: unknown = "not called"
        await store.update("update", (current) => {
          given = current
          return "fresh"
        })
        assert.equal(given, null, "update() is given null for an expired entry")
        assert.equal(await (await store.get("update"))?.text(), "fresh")
      },
      clockMoves,
    )

    rule(
      t,
      "atomic: increment expiry",
      "keeps a counter's expiry from its creation, and starts a new one once it has expired",
      async () => {
        const store = await strongStore(t, { ttlSeconds: 3600 })
        const start = t.clock.now()
        assert.equal(await store.increment("window", 1, { ttlSeconds: 60 }), 1)
        t.clock.advance(30 * SECOND)
        assert.equal(await store.increment("window", 1, { ttlSeconds: 60 }), 2)
        t.clock.advance(29 * SECOND)
        assert.equal(await store.increment("window"), 3)
        assert.equal((await store.get("window"))?.expiresAt?.getTime(), start + 60 * SECOND, "the creation's expiry")
        t.clock.advance(1 * SECOND)
        assert.equal(await store.get("window"), null, "expired at 60 s, however often incremented")
        assert.equal(await store.increment("window", 1, { ttlSeconds: 60 }), 1, "a new window")
        assert.equal((await store.get("window"))?.expiresAt?.getTime(), t.clock.now() + 60 * SECOND)
        // Without options a new counter takes the store's TTL.
        assert.equal(await store.increment("daily"), 1)
        assert.equal((await store.get("daily"))?.expiresAt?.getTime(), t.clock.now() + 3600 * SECOND)
        t.clock.advance(3600 * SECOND)
        assert.equal(await store.increment("daily"), 1)
      },
      clockMoves,
    )
  })
}
