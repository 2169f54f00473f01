import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { KV_LIMITS } from "../../kv/limits.js"
import type { SuiteContext } from "./context.js"

/** Keys that could never be stored: reads must treat them as missing. */
const UNSTORABLE = ["", ".", "..", "k".repeat(KV_LIMITS.maxKeyBytes + 1), "\uD800lone", 42 as unknown as string]

export function readRules(t: SuiteContext): void {
  describe("reads", () => {
    it("answers null, false or nothing for keys that could never be stored", {
      skip: t.skip("reads: forgiving"),
    }, async () => {
      const store = await t.store()
      for (const key of UNSTORABLE) {
        assert.equal(await store.get(key), null)
        assert.equal(await store.has(key), false)
        await store.delete(key)
      }
      const many = await store.getMany(UNSTORABLE)
      assert.ok([...many.values()].every((handle) => handle === null))
    })

    it("answers null for a missing key", { skip: t.skip("reads: missing") }, async () => {
      const store = await t.store()
      assert.equal(await store.get("nobody"), null)
      assert.equal(await store.has("nobody"), false)
    })

    it("deletes, and deleting a missing key is fine", { skip: t.skip("reads: delete") }, async () => {
      const store = await t.store()
      await store.put("gone", "v")
      assert.equal(await store.has("gone"), true)
      await store.delete("gone")
      assert.equal(await store.get("gone"), null)
      assert.equal(await store.has("gone"), false)
      await store.delete("gone")
      await store.delete("never-there")
    })

    it("reads many keys at once, in order, missing ones as null", { skip: t.skip("reads: getMany") }, async () => {
      const store = await t.store()
      await store.put("a", "1")
      await store.put("c", "3")
      const many = await store.getMany(["c", "b", "a", "c"])
      assert.deepEqual([...many.keys()], ["c", "b", "a"])
      assert.equal(await many.get("a")?.text(), "1")
      assert.equal(many.get("b"), null)
      assert.equal(await many.get("c")?.text(), "3")
      assert.equal((await store.getMany([])).size, 0)
      const keys = Array.from({ length: 150 }, (_, index) => `bulk-${index}`)
      for (const key of keys.slice(0, 10)) await store.put(key, key)
      const bulk = await store.getMany(keys)
      assert.equal(bulk.size, 150)
      assert.equal(await bulk.get("bulk-9")?.text(), "bulk-9")
      assert.equal(bulk.get("bulk-149"), null)
    })
  })
}
