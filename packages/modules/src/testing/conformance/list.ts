import assert from "node:assert/strict"
import { describe, it } from "node:test"
import type { KVStore, ListOptions } from "../../kv/store.js"
import { expectKVError, SECOND, type SuiteContext } from "./context.js"

/** Every key name, page by page. */
export async function listAll(store: KVStore, options: Omit<ListOptions, "cursor"> = {}): Promise<string[]> {
  const names: string[] = []
  let cursor: string | undefined
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.list({ ...options, cursor })
    names.push(...page.keys.map((key) => key.name))
    if (page.complete) {
      assert.equal(page.cursor, undefined, "a complete page has no cursor")
      return names
    }
    assert.ok(page.cursor, "an incomplete page has a cursor")
    cursor = page.cursor
  }
  throw new Error("list() never completed")
}

/** UTF-8 byte order, the order every driver lists in. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

export function listRules(t: SuiteContext): void {
  describe("list", () => {
    it("lists keys by prefix", { skip: t.skip("list: prefix") }, async () => {
      const store = await t.store()
      for (const key of ["session:1", "session:2", "sess", "token:1", "session"]) await store.put(key, "v")
      assert.deepEqual(await listAll(store, { prefix: "session:" }), ["session:1", "session:2"])
      assert.deepEqual(await listAll(store, { prefix: "sess" }), ["sess", "session", "session:1", "session:2"])
      assert.deepEqual(await listAll(store, { prefix: "nothing" }), [])
      assert.deepEqual(await listAll(store), ["sess", "session", "session:1", "session:2", "token:1"])
    })

    it("pages with a cursor: every key once, none missed", { skip: t.skip("list: paging") }, async () => {
      const store = await t.store()
      const keys = Array.from({ length: 57 }, (_, index) => `k${String(index).padStart(3, "0")}`)
      for (const key of keys) await store.put(key, "v")
      const firstPage = await store.list({ limit: 10 })
      assert.equal(firstPage.keys.length, 10)
      assert.equal(firstPage.complete, false)
      assert.deepEqual(await listAll(store, { limit: 10 }), keys)
      assert.deepEqual(await listAll(store, { limit: 57 }), keys)
      assert.deepEqual(await listAll(store, { limit: 1000 }), keys)
    })

    it("lists in UTF-8 byte order", { skip: t.skip("list: order") }, async () => {
      const store = await t.store()
      const keys = ["b", "a", "ab", "A", "é", "\uE000", "\u{1F600}", "\uFFFD", "a\u0000"]
      for (const key of keys) await store.put(key, "v")
      assert.deepEqual(await listAll(store), [...keys].sort(byteOrder))
      assert.deepEqual(await listAll(store, { limit: 2 }), [...keys].sort(byteOrder))
    })

    it("gives each key's expiry and metadata", { skip: t.skip("list: fields") }, async () => {
      const store = await t.store()
      await store.put("a", "v", { ttlSeconds: 3600, metadata: { role: "admin" } })
      await store.put("b", "v")
      const { keys, complete } = await store.list()
      assert.equal(complete, true)
      assert.deepEqual(keys, [
        { name: "a", expiresAt: new Date(t.clock.now() + 3600 * SECOND), metadata: { role: "admin" } },
        { name: "b", expiresAt: null, metadata: null },
      ])
    })

    it("never lists an expired key", { skip: t.skip("list: expired") }, async () => {
      const store = await t.store()
      for (let index = 0; index < 12; index++) {
        await store.put(`k${String(index).padStart(2, "0")}`, "v", { ttlSeconds: index % 2 === 0 ? 60 : 7200 })
      }
      t.clock.advance(61 * SECOND)
      const names = await listAll(store, { limit: 3 })
      assert.deepEqual(names, ["k01", "k03", "k05", "k07", "k09", "k11"])
    })

    it("refuses a limit outside 1 to 1000 and a cursor that is not one", {
      skip: t.skip("list: options"),
    }, async () => {
      const store = await t.store()
      for (const limit of [0, 1001, 1.5, -1]) {
        await expectKVError(() => store.list({ limit }), "KV_OPTIONS_INVALID", ["1000"])
      }
      await expectKVError(() => store.list({ cursor: "" }), "KV_CURSOR_INVALID")
    })
  })
}
