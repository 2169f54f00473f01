import assert from "node:assert/strict"
import { DAY, rule, SECOND, type SuiteContext } from "./context.js"

const clockMoves = { movesClock: true }

export function ttlRules(t: SuiteContext): void {
  t.describe("expiry", () => {
    // The instants alone, without moving the clock: what a backend that cannot time-travel still shows.
    rule(
      t,
      "ttl: expiry instants",
      "stores the expiry each TTL form implies, on the handle and in the listing",
      async () => {
        const store = await t.store({ ttlSeconds: 86_400 })
        const now = t.clock.now()
        const at = now + 2 * DAY + 123
        await store.put("default", "v")
        await store.put("per-put", "v", { ttlSeconds: 30 * 86_400 })
        await store.put("date", "v", { expiresAt: new Date(at) })
        await store.put("ms", "v", { expiresAt: at })
        const expected: Record<string, number> = {
          default: now + DAY,
          "per-put": now + 30 * DAY,
          date: at,
          ms: at,
        }
        for (const [key, instant] of Object.entries(expected)) {
          const expiresAt = (await store.get(key))?.expiresAt
          assert.ok(expiresAt instanceof Date, `${key} has an expiry Date`)
          assert.equal(expiresAt.getTime(), instant, key)
        }
        const listed = (await store.list()).keys.map((key) => [key.name, key.expiresAt?.getTime()] as const)
        assert.deepEqual(new Map(listed), new Map(Object.entries(expected)))
        const lasting = await t.store()
        await lasting.put("none", "v")
        assert.equal((await lasting.get("none"))?.expiresAt, null)
      },
    )

    rule(
      t,
      "ttl: store default",
      "expires an entry at the store's default TTL: 24 hours",
      async () => {
        const store = await t.store({ ttlSeconds: 86_400 })
        const start = t.clock.now()
        await store.put("session:a", "alive")
        assert.equal((await store.get("session:a"))?.expiresAt?.getTime(), start + DAY)
        t.clock.advance(DAY - 1)
        assert.equal(await (await store.get("session:a"))?.text(), "alive", "a millisecond before 24 hours")
        t.clock.advance(1)
        assert.equal(await store.get("session:a"), null, "at 24 hours")
        t.clock.advance(DAY)
        assert.equal(await store.get("session:a"), null, "after")
      },
      clockMoves,
    )

    rule(
      t,
      "ttl: per put",
      "lets a per-put ttlSeconds win over the store's default: 30 days",
      async () => {
        const store = await t.store({ ttlSeconds: 86_400 })
        await store.put("session:remember", "alive", { ttlSeconds: 30 * 86_400 })
        await store.put("session:brief", "alive", { ttlSeconds: 3600 })
        t.clock.advance(3600 * SECOND)
        assert.equal(await store.get("session:brief"), null, "a shorter per-put TTL wins too")
        t.clock.advance(DAY)
        assert.ok(await store.get("session:remember"), "outlives the store's default")
        t.clock.advance(29 * DAY - 3600 * SECOND - 1)
        assert.ok(await store.get("session:remember"), "a millisecond before 30 days")
        t.clock.advance(1)
        assert.equal(await store.get("session:remember"), null, "at 30 days")
      },
      clockMoves,
    )

    rule(
      t,
      "ttl: expiresAt",
      "lets an absolute expiresAt win, as a Date or milliseconds",
      async () => {
        const store = await t.store({ ttlSeconds: 86_400 })
        const at = t.clock.now() + 2 * DAY
        await store.put("date", "v", { expiresAt: new Date(at) })
        await store.put("ms", "v", { expiresAt: at })
        t.clock.advance(2 * DAY - 1)
        assert.ok(await store.get("date"), "outlives the store's default")
        assert.ok(await store.get("ms"))
        t.clock.advance(1)
        assert.equal(await store.get("date"), null)
        assert.equal(await store.get("ms"), null)
      },
      clockMoves,
    )

    rule(
      t,
      "ttl: none",
      "keeps an entry with no TTL forever",
      async () => {
        const store = await t.store()
        await store.put("forever", "v")
        t.clock.advance(3650 * DAY)
        assert.equal(await (await store.get("forever"))?.text(), "v")
        assert.equal(await store.has("forever"), true)
        assert.deepEqual(
          (await store.list()).keys.map((key) => key.name),
          ["forever"],
        )
      },
      clockMoves,
    )

    rule(
      t,
      "ttl: hidden everywhere",
      "never returns an expired entry from get, has, getMany or list, removed or not",
      async () => {
        const store = await t.store()
        await store.put("short", "v", { ttlSeconds: 60, metadata: { m: 1 } })
        await store.put("long", "v", { ttlSeconds: 3600 })
        t.clock.advance(60 * SECOND)
        assert.equal(await store.get("short"), null)
        assert.equal(await store.has("short"), false)
        assert.equal(await store.has("long"), true)
        const many = await store.getMany(["short", "long", "short"])
        assert.deepEqual([...many.keys()], ["short", "long"])
        assert.equal(many.get("short"), null)
        assert.ok(many.get("long"))
        assert.deepEqual(
          (await store.list()).keys.map((key) => key.name),
          ["long"],
        )
        assert.deepEqual((await store.list({ prefix: "sh" })).keys, [])
      },
      clockMoves,
    )

    rule(
      t,
      "ttl: rewrite",
      "revives a key written again after it expired, and a rewrite resets the expiry",
      async () => {
        const store = await t.store()
        await store.put("k", "old", { ttlSeconds: 60 })
        t.clock.advance(61 * SECOND)
        assert.equal(await store.get("k"), null)
        await store.put("k", "new", { ttlSeconds: 60 })
        assert.equal(await (await store.get("k"))?.text(), "new")
        t.clock.advance(59 * SECOND)
        await store.put("k", "newer", { ttlSeconds: 60 })
        t.clock.advance(59 * SECOND)
        assert.equal(await (await store.get("k"))?.text(), "newer", "the second put pushed the expiry out")
        await store.put("k", "lasting")
        t.clock.advance(DAY)
        assert.equal(await (await store.get("k"))?.text(), "lasting", "a put without TTL clears the expiry")
      },
      clockMoves,
    )

    rule(
      t,
      "ttl: non-portable",
      "accepts a TTL as short as 1 second on a portable: false store",
      async () => {
        const store = await t.store({ portable: false })
        await store.put("blink", "v", { ttlSeconds: 1 })
        await store.put("at", "v", { expiresAt: t.clock.now() + SECOND })
        assert.equal((await store.get("blink"))?.expiresAt?.getTime(), t.clock.now() + SECOND)
        t.clock.advance(SECOND - 1)
        assert.ok(await store.get("blink"))
        assert.ok(await store.get("at"))
        t.clock.advance(1)
        assert.equal(await store.get("blink"), null)
        assert.equal(await store.get("at"), null)
      },
      clockMoves,
    )
  })
}
