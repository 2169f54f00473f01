import assert from "node:assert/strict"
import type { KVStore } from "../../kv/store.js"
import { rule, type SuiteContext } from "./context.js"
import { listAll } from "./list.js"

/** Names that would collide under a naive "namespace/name/key" or "namespace:name:key" encoding. */
const ADVERSARIAL = [
  "a",
  "a/b",
  "a%2Fb",
  "a%252Fb",
  "a:b",
  "/",
  "//",
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
  t.describe("isolation", () => {
    rule(t, "isolation: names", "keeps stores with different names or namespaces apart", async () => {
      const base = await t.store()
      const otherNamespace = await t.store({ name: base.storeName, namespace: "conformance-other" })
      const otherName = await t.store()
      await base.put("shared-key", "base")
      await otherNamespace.put("shared-key", "other namespace")
      assert.equal(await (await base.get("shared-key"))?.text(), "base")
      assert.equal(await (await otherNamespace.get("shared-key"))?.text(), "other namespace")
      assert.equal(await otherName.get("shared-key"), null)
      assert.equal(await otherName.has("shared-key"), false)
      assert.equal((await otherName.getMany(["shared-key"])).get("shared-key"), null)
      await otherName.delete("shared-key")
      await otherNamespace.delete("shared-key")
      assert.ok(await base.get("shared-key"), "a delete in another store does nothing here")
      assert.deepEqual(await listAll(otherName), [])
      assert.deepEqual(await listAll(otherNamespace), [])
      assert.deepEqual(await listAll(base), ["shared-key"])
    })

    rule(t, "isolation: adversarial", "holds against adversarial namespaces, names and keys", async () => {
      const suffix = `${process.pid}-${Date.now()}`
      const stores: KVStore[] = []
      for (const namespace of [`x-${suffix}`, `x-${suffix}/a`, `x-${suffix}%2Fa`]) {
        for (const name of ADVERSARIAL) stores.push(await t.store({ namespace, name }))
      }
      // Each store writes keys that spell out other stores' scopes, encoded or not.
      const keysOf = (store: KVStore, index: number) => [
        ...ADVERSARIAL.map((key) => `${key}/${index}`),
        `${store.namespace}/${store.storeName}/k`,
        `${encodeURIComponent(store.namespace)}/${encodeURIComponent(store.storeName)}/k`,
        "a",
      ]
      for (const [index, store] of stores.entries()) {
        for (const key of keysOf(store, index)) await store.put(key, String(index))
      }
      for (const [index, store] of stores.entries()) {
        const names = await listAll(store)
        assert.deepEqual(new Set(names), new Set(keysOf(store, index)), `store ${index} lists only its own keys`)
        for (const name of names) assert.equal(await (await store.get(name))?.text(), String(index))
        assert.deepEqual(
          await listAll(store, { prefix: "a" }),
          names.filter((name) => name.startsWith("a")),
        )
      }
      // Deleting every key one store holds leaves every other store whole.
      const [first, ...others] = stores as [KVStore, ...KVStore[]]
      for (const name of await listAll(first)) await first.delete(name)
      assert.deepEqual(await listAll(first), [])
      for (const [index, store] of others.entries()) {
        assert.deepEqual(
          new Set(await listAll(store)),
          new Set(keysOf(store, index + 1)),
          `store ${index + 1} kept its keys`,
        )
        assert.equal(await (await store.get("a"))?.text(), String(index + 1))
      }
    })
  })
}
