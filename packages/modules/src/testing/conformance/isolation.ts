import assert from "node:assert/strict"
import { describe, it } from "node:test"
import type { KVStore } from "../../kv/store.js"
import type { SuiteContext } from "./context.js"
import { listAll } from "./list.js"

/** Names that would collide under a naive "namespace:name:key" encoding. */
const ADVERSARIAL = [
  "a",
  "a/b",
  "a%2Fb",
  "a:b",
  "/",
  "%",
  "%25",
  "a b",
  "ä",
  "\u{1F600}",
  "{tag}",
  "*",
  "a\\b",
  "..",
  ".",
]

export function isolationRules(t: SuiteContext): void {
  describe("isolation", () => {
    it("keeps stores with different names or namespaces apart", { skip: t.skip("isolation: names") }, async () => {
      const base = await t.store()
      const sameNameOtherNamespace = await t.store({ name: base.storeName, namespace: "conformance-other" })
      const otherName = await t.store()
      await base.put("shared-key", "base")
      await sameNameOtherNamespace.put("shared-key", "other namespace")
      assert.equal(await (await base.get("shared-key"))?.text(), "base")
      assert.equal(await (await sameNameOtherNamespace.get("shared-key"))?.text(), "other namespace")
      assert.equal(await otherName.get("shared-key"), null)
      await otherName.delete("shared-key")
      assert.ok(await base.get("shared-key"), "a delete in another store does nothing here")
      assert.deepEqual(await listAll(otherName), [])
    })

    it("holds against adversarial namespaces, names and keys", { skip: t.skip("isolation: adversarial") }, async () => {
      const suffix = `${process.pid}-${Date.now()}`
      const stores: KVStore[] = []
      for (const namespace of ["x", "x/y"]) {
        for (const name of ADVERSARIAL) stores.push(await t.store({ namespace: `${namespace}-${suffix}`, name }))
      }
      // Each store writes keys that spell out other stores' scopes.
      for (const [index, store] of stores.entries()) {
        for (const key of ADVERSARIAL) await store.put(`${key}/${index}`, String(index))
        await store.put(`${store.namespace}/${store.storeName}/k`, String(index))
      }
      for (const [index, store] of stores.entries()) {
        const names = await listAll(store)
        assert.equal(names.length, ADVERSARIAL.length + 1, `store ${index} sees only its own keys`)
        for (const name of names) assert.equal(await (await store.get(name))?.text(), String(index))
        assert.deepEqual(
          await listAll(store, { prefix: "a" }),
          names.filter((name) => name.startsWith("a")),
        )
      }
    })
  })
}
