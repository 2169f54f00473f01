import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { DAY, SECOND, type SuiteContext } from "./context.js"

export function ttlRules(t: SuiteContext): void {
  describe("expiry", () => {
    it("expires an entry at the store's default TTL: 24 hours", { skip: t.skip("ttl: store default") }, async () => {
      const store = await t.store({ ttlSeconds: 86_400 })
      const start = t.clock.now()
      await store.put("session:a", "alive")
      assert.equal((await store.get("session:a"))?.expiresAt?.getTime(), start + DAY)
      t.clock.advance(DAY - SECOND)
      assert.equal(await (await store.get("session:a"))?.text(), "alive", "a second before 24 hours")
      t.clock.advance(SECOND)
      assert.equal(await store.get("session:a"), null, "at 24 hours")
    })

    it("lets a per-put ttlSeconds win over the default: 30 days", { skip: t.skip("ttl: per put") }, async () => {
      const store = await t.store({ ttlSeconds: 86_400 })
      await store.put("session:remember", "alive", { ttlSeconds: 30 * 86_400 })
      t.clock.advance(DAY + SECOND)
      assert.ok(await store.get("session:remember"), "outlives the store's default")
      t.clock.advance(29 * DAY - 2 * SECOND)
      assert.ok(await store.get("session:remember"), "a second before 30 days")
      t.clock.advance(SECOND)
      assert.equal(await store.get("session:remember"), null, "at 30 days")
    })

    it("lets an absolute expiresAt win, as a Date or milliseconds", { skip: t.skip("ttl: expiresAt") }, async () => {
      const store = await t.store({ ttlSeconds: 86_400 })
      const at = t.clock.now() + 2 * DAY
      await store.put("date", "v", { expiresAt: new Date(at) })
      await store.put("ms", "v", { expiresAt: at })
      for (const key of ["date", "ms"]) assert.equal((await store.get(key))?.expiresAt?.getTime(), at)
      t.clock.advance(2 * DAY - SECOND)
      assert.ok(await store.get("date"))
      t.clock.advance(SECOND)
      assert.equal(await store.get("date"), null)
      assert.equal(await store.get("ms"), null)
    })

    it("keeps an entry with no TTL forever", { skip: t.skip("ttl: none") }, async () => {
      const store = await t.store()
      await store.put("forever", "v")
      t.clock.advance(3650 * DAY)
      assert.equal(await (await store.get("forever"))?.text(), "v")
      assert.equal((await store.get("forever"))?.expiresAt, null)
    })

    it("never returns an expired entry from has, getMany or list", {
      skip: t.skip("ttl: hidden everywhere"),
    }, async () => {
      const store = await t.store()
      await store.put("short", "v", { ttlSeconds: 60 })
      await store.put("long", "v", { ttlSeconds: 3600 })
      t.clock.advance(60 * SECOND)
      assert.equal(await store.has("short"), false)
      assert.equal(await store.has("long"), true)
      const many = await store.getMany(["short", "long"])
      assert.equal(many.get("short"), null)
      assert.ok(many.get("long"))
      assert.deepEqual(
        (await store.list()).keys.map((key) => key.name),
        ["long"],
      )
    })

    it("revives a key written again after it expired", { skip: t.skip("ttl: rewrite") }, async () => {
      const store = await t.store()
      await store.put("k", "old", { ttlSeconds: 60 })
      t.clock.advance(61 * SECOND)
      assert.equal(await store.get("k"), null)
      await store.put("k", "new", { ttlSeconds: 60 })
      assert.equal(await (await store.get("k"))?.text(), "new")
    })

    it("accepts a TTL as short as 1 second on a portable: false store", {
      skip: t.skip("ttl: non-portable"),
    }, async () => {
      const store = await t.store({ portable: false })
      await store.put("blink", "v", { ttlSeconds: 1 })
      assert.ok(await store.get("blink"))
      t.clock.advance(SECOND)
      assert.equal(await store.get("blink"), null)
    })
  })
}
