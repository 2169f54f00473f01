import assert from "node:assert/strict"
import { KV_LIMITS } from "../../kv/limits.js"
import { rule, SECOND, type SuiteContext } from "./context.js"

/** Keys that could never be stored: reads treat them as missing, never as an error. */
const UNSTORABLE = [
  "",
  ".",
  "..",
  "k".repeat(KV_LIMITS.maxKeyBytes + 1),
  "é".repeat(KV_LIMITS.maxKeyBytes / 2 + 1),
  "\uD800lone",
  42 as unknown as string,
  null as unknown as string,
  undefined as unknown as string,
]

export function readRules(t: SuiteContext): void {
  t.describe("reads", () => {
    rule(t, "reads: forgiving", "answers null, false or nothing for keys that could never be stored", async () => {
      const store = await t.store()
      await store.put("real", "v")
      for (const key of UNSTORABLE) {
        assert.equal(await store.get(key), null)
        assert.equal(await store.has(key), false)
        await store.delete(key)
      }
      const many = await store.getMany([...UNSTORABLE, "real"])
      assert.equal(await many.get("real")?.text(), "v", "a storable key among them is still read")
      for (const key of UNSTORABLE) assert.equal(many.get(key), null)
      assert.ok(await store.get("real"), "deleting unstorable keys deleted nothing")
    })

    rule(t, "reads: missing", "answers null for a missing key", async () => {
      const store = await t.store()
      assert.equal(await store.get("nobody"), null)
      assert.equal(await store.has("nobody"), false)
      assert.deepEqual([...(await store.getMany(["nobody"])).entries()], [["nobody", null]])
    })

    rule(t, "reads: delete", "deletes, and deleting a missing key is fine", async () => {
      const store = await t.store()
      await store.put("gone", "v", { metadata: { a: 1 } })
      await store.put("kept", "v")
      assert.equal(await store.has("gone"), true)
      await store.delete("gone")
      assert.equal(await store.get("gone"), null)
      assert.equal(await store.has("gone"), false)
      assert.deepEqual(
        (await store.list()).keys.map((key) => key.name),
        ["kept"],
      )
      await store.delete("gone")
      await store.delete("never-there")
      assert.ok(await store.get("kept"), "only the key named was deleted")
      await store.put("gone", "back")
      assert.equal(await (await store.get("gone"))?.text(), "back", "a deleted key can be written again")
    })

    rule(t, "reads: getMany", "reads many keys at once, in order, missing and expired ones as null", async () => {
      const store = await t.store()
      await store.put("a", "1")
      await store.put("c", "3")
      await store.put("e", "5", { ttlSeconds: 60 })
      const many = await store.getMany(["c", "b", "a", "c", "e"])
      assert.deepEqual([...many.keys()], ["c", "b", "a", "e"], "in the order given, each key once")
      assert.equal(await many.get("a")?.text(), "1")
      assert.equal(many.get("b"), null)
      assert.equal(await many.get("c")?.text(), "3")
      assert.equal(many.get("c")?.key, "c")
      assert.equal(many.get("e")?.expiresAt?.getTime(), t.clock.now() + 60 * SECOND)
      assert.equal((await store.getMany([])).size, 0)
      const keys = Array.from({ length: 250 }, (_, index) => `bulk-${index}`)
      for (const key of keys.slice(0, 10)) await store.put(key, key)
      await store.put("bulk-200", "bulk-200")
      const bulk = await store.getMany(keys)
      assert.equal(bulk.size, 250)
      for (const key of keys) {
        const expected = keys.indexOf(key) < 10 || key === "bulk-200" ? key : null
        const handle = bulk.get(key)
        assert.equal(handle ? await handle.text() : null, expected, key)
      }
      if (t.canTimeTravel) {
        t.clock.advance(60 * SECOND)
        const later = await store.getMany(["e", "a"])
        assert.equal(later.get("e"), null, "an expired key reads as null")
        assert.ok(later.get("a"))
      }
    })
  })
}
