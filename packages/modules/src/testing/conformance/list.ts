import assert from "node:assert/strict"
import { KV_LIMITS } from "../../kv/limits.js"
import type { KVStore, ListOptions } from "../../kv/store.js"
import { expectKVError, rule, SECOND, type SuiteContext } from "./context.js"

/** Every key name, page by page, checking each page's shape on the way. */
export async function listAll(store: KVStore, options: Omit<ListOptions, "cursor"> = {}): Promise<string[]> {
  const names: string[] = []
  let cursor: string | undefined
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.list({ ...options, cursor })
    assert.ok(page.keys.length <= (options.limit ?? 1000), "a page holds at most `limit` keys")
    for (const { name } of page.keys) {
      const previous = names[names.length - 1]
      // Strictly ascending across pages: no key twice, none out of order.
      if (previous !== undefined)
        assert.ok(byteOrder(previous, name) < 0, `list gave ${JSON.stringify(name)} after ${JSON.stringify(previous)}`)
      names.push(name)
    }
    if (page.complete) {
      assert.equal(page.cursor, undefined, "a complete page has no cursor")
      return names
    }
    assert.ok(typeof page.cursor === "string" && page.cursor !== "", "an incomplete page has a cursor")
    cursor = page.cursor
  }
  throw new Error("list() never completed")
}

/** UTF-8 byte order, the order every driver lists in. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

const padded = (index: number) => `k${String(index).padStart(4, "0")}`

/** `text` with the character at `index` replaced by another one. */
function changeAt(text: string, index: number): string {
  return text.slice(0, index) + (text[index] === "A" ? "B" : "A") + text.slice(index + 1)
}

/** Strings that are not a cursor `good` could be mistaken for: garbage, and `good` damaged. */
function tamperedCursors(store: KVStore, good: string): string[] {
  return [
    "garbage",
    "!!!",
    " ",
    "null",
    "0",
    "AAAAAAAA",
    "x".repeat(20_000),
    good.slice(0, -1),
    good.slice(1),
    good.slice(0, Math.floor(good.length / 2)),
    `${good}A`,
    `${good}=`,
    ` ${good}`,
    changeAt(good, 0),
    changeAt(good, Math.floor(good.length / 2)),
    // The last character also carries bits that no byte uses.
    changeAt(good, good.length - 1),
    good.replace(/[a-z]/, (letter) => letter.toUpperCase()),
    // The key after which the page ended, as a cursor spelled it before it was checked.
    Buffer.from(`${encodeURIComponent(store.namespace)}/${encodeURIComponent(store.storeName)}/k0001`).toString(
      "base64url",
    ),
  ].filter((cursor) => cursor !== good)
}

export function listRules(t: SuiteContext): void {
  t.describe("list", () => {
    rule(t, "list: prefix", "lists keys by prefix", async () => {
      const store = await t.store()
      const keys = ["session:1", "session:2", "sess", "token:1", "session", "sessioo", "session;", "séssion", "s"]
      for (const key of keys) await store.put(key, "v")
      assert.deepEqual(await listAll(store, { prefix: "session:" }), ["session:1", "session:2"])
      assert.deepEqual(await listAll(store, { prefix: "sess" }), [
        "sess",
        "session",
        "session:1",
        "session:2",
        "session;",
        "sessioo",
      ])
      assert.deepEqual(await listAll(store, { prefix: "s" }), keys.filter((key) => key.startsWith("s")).sort(byteOrder))
      assert.deepEqual(await listAll(store, { prefix: "session:1" }), ["session:1"], "a prefix equal to a key")
      assert.deepEqual(await listAll(store, { prefix: "nothing" }), [])
      assert.deepEqual(await listAll(store, { prefix: "session:", limit: 1 }), ["session:1", "session:2"])
      assert.deepEqual(await listAll(store, { prefix: "" }), [...keys].sort(byteOrder))
    })

    rule(t, "list: paging", "pages with a cursor: every key once, none missed", async () => {
      const store = await t.store()
      const keys = Array.from({ length: 137 }, (_, index) => padded(index))
      for (const key of [...keys].reverse()) await store.put(key, "v")
      await store.put("other", "v")
      const firstPage = await store.list({ prefix: "k", limit: 10 })
      assert.equal(firstPage.keys.length, 10)
      assert.equal(firstPage.complete, false)
      assert.ok(firstPage.cursor)
      for (const limit of [1, 7, 10, 136, 137, 138, 1000]) {
        assert.deepEqual(await listAll(store, { prefix: "k", limit }), keys, `limit ${limit}`)
      }
      assert.deepEqual(await listAll(store, { limit: 5 }), [...keys, "other"])
      // A key written behind the cursor is not listed on later pages; one ahead of it is.
      const page = await store.list({ prefix: "k", limit: 100 })
      const last = page.keys[page.keys.length - 1]?.name ?? ""
      await store.put("k0000a", "v")
      await store.put("k9999", "v")
      const rest = await store.list({ prefix: "k", limit: 1000, cursor: page.cursor })
      assert.equal(rest.complete, true)
      assert.deepEqual(
        rest.keys.map((key) => key.name),
        [...keys.filter((key) => byteOrder(key, last) > 0), "k9999"],
      )
    })

    rule(t, "list: full page", "lists 1000 keys a page by default", async () => {
      const store = await t.store()
      const keys = Array.from({ length: 1003 }, (_, index) => padded(index))
      for (const key of keys) await store.put(key, "v")
      const first = await store.list()
      assert.equal(first.keys.length, 1000)
      assert.equal(first.complete, false)
      const second = await store.list({ cursor: first.cursor })
      assert.deepEqual(
        [...first.keys, ...second.keys].map((key) => key.name),
        keys,
      )
      assert.equal(second.complete, true)
    })

    rule(t, "list: order", "lists in UTF-8 byte order, astral characters after U+E000 to U+FFFF", async () => {
      const store = await t.store()
      const keys = ["b", "a", "ab", "A", "é", "\uE000", "\uFFFD", "\uFFFF", "\u{10000}", "\u{1F600}", "\u{10FFFF}"]
      keys.push("a\u0000", "a ", "a~", "a\u007F", "a\u0080", "\u{1F600}x", "\uFFFDx", "~")
      for (const key of keys) await store.put(key, "v")
      const sorted = [...keys].sort(byteOrder)
      assert.ok(sorted.indexOf("\u{10000}") > sorted.indexOf("\uFFFF"), "byte order is not UTF-16 order")
      assert.deepEqual(await listAll(store), sorted)
      assert.deepEqual(await listAll(store, { limit: 2 }), sorted)
      assert.deepEqual(await listAll(store, { prefix: "\u{1F600}" }), ["\u{1F600}", "\u{1F600}x"])
      assert.deepEqual(await listAll(store, { prefix: "\uFFFD" }), ["\uFFFD", "\uFFFDx"])
    })

    rule(t, "list: fields", "gives each key's expiry and metadata", async () => {
      const store = await t.store()
      await store.put("a", "v", { ttlSeconds: 3600, metadata: { role: "admin" } })
      await store.put("b", "v")
      await store.put("c", "v", { expiresAt: new Date(t.clock.now() + 7 * 24 * 3600 * SECOND), metadata: [1, "two"] })
      const { keys, complete, cursor } = await store.list()
      assert.equal(complete, true)
      assert.equal(cursor, undefined)
      assert.deepEqual(keys, [
        { name: "a", expiresAt: new Date(t.clock.now() + 3600 * SECOND), metadata: { role: "admin" } },
        { name: "b", expiresAt: null, metadata: null },
        { name: "c", expiresAt: new Date(t.clock.now() + 7 * 24 * 3600 * SECOND), metadata: [1, "two"] },
      ])
    })

    rule(
      t,
      "list: expired",
      "never lists an expired key, on any page",
      async () => {
        const store = await t.store()
        for (let index = 0; index < 30; index++) {
          await store.put(padded(index), "v", { ttlSeconds: index % 3 === 0 ? 7200 : 60 })
        }
        t.clock.advance(60 * SECOND)
        const live = Array.from({ length: 10 }, (_, index) => padded(index * 3))
        for (const limit of [1, 3, 1000]) assert.deepEqual(await listAll(store, { limit }), live, `limit ${limit}`)
        t.clock.advance(7200 * SECOND)
        assert.deepEqual((await store.list()).keys, [])
        assert.equal((await store.list()).complete, true)
      },
      { movesClock: true },
    )

    rule(t, "list: cursor tampering", "refuses a cursor it did not return for this store and prefix", async () => {
      const store = await t.store()
      for (const key of ["k0000", "k0001", "k0002", "k0003", "other"]) await store.put(key, "v")
      const first = await store.list({ limit: 2 })
      const good = first.cursor
      assert.ok(typeof good === "string")
      for (const cursor of tamperedCursors(store, good)) {
        await expectKVError(() => store.list({ limit: 2, cursor }), "KV_CURSOR_INVALID", [store.name])
      }
      await expectKVError(() => store.list({ cursor: "" }), "KV_CURSOR_INVALID", [store.name])
      // A cursor belongs to its prefix and its store.
      const byPrefix = await store.list({ prefix: "k", limit: 2 })
      assert.ok(byPrefix.cursor)
      for (const prefix of ["", "o", "k0", "K"]) {
        await expectKVError(() => store.list({ prefix, cursor: byPrefix.cursor }), "KV_CURSOR_INVALID", [store.name])
      }
      await expectKVError(() => store.list({ prefix: "k", cursor: good }), "KV_CURSOR_INVALID")
      const other = await t.store()
      for (const key of ["k0000", "k0001", "k0002", "k0003", "other"]) await other.put(key, "v")
      await expectKVError(() => other.list({ limit: 2, cursor: good }), "KV_CURSOR_INVALID", [other.name])
      // The real cursors still work, more than once and with another limit.
      const names = (page: { keys: { name: string }[] }) => page.keys.map((key) => key.name)
      for (let round = 0; round < 2; round++) {
        assert.deepEqual(names(await store.list({ limit: 2, cursor: good })), ["k0002", "k0003"])
      }
      assert.deepEqual(names(await store.list({ limit: 1000, cursor: good })), ["k0002", "k0003", "other"])
      assert.deepEqual(names(await store.list({ prefix: "k", cursor: byPrefix.cursor })), ["k0002", "k0003"])
    })

    rule(t, "list: invalid prefix", "lists nothing for a prefix no key can start with, on every driver", async () => {
      const store = await t.store()
      const longest = "k".repeat(KV_LIMITS.maxKeyBytes)
      for (const key of ["\u{1F600}", "\u{1F600}x", "\uFFFDx", "a", longest]) await store.put(key, "v")
      const high = "\u{1F600}".slice(0, 1)
      // Lone surrogates (no stored key has one) and prefixes over 512 bytes (longer than any key).
      const unmatchable = [high, "\u{1F600}".slice(1), `a${high}`, `${high}x`, "\uDFFF", `${longest}k`, "é".repeat(257)]
      for (const prefix of unmatchable) {
        for (const limit of [1, 1000]) {
          assert.deepEqual(await store.list({ prefix, limit }), { keys: [], complete: true }, JSON.stringify(prefix))
        }
      }
      await expectKVError(() => store.list({ prefix: high, cursor: "garbage" }), "KV_CURSOR_INVALID")
      assert.deepEqual(await listAll(store, { prefix: longest }), [longest], "a prefix of exactly 512 bytes")
      assert.deepEqual(await listAll(store, { prefix: "\u{1F600}" }), ["\u{1F600}", "\u{1F600}x"])
    })

    rule(t, "list: options", "refuses a limit outside 1 to 1000 and a cursor that is not one", async () => {
      const store = await t.store()
      for (const limit of [0, 1001, 1.5, -1, Number.NaN, "10"]) {
        await expectKVError(() => store.list({ limit: limit as number }), "KV_OPTIONS_INVALID", [store.name, "1000"])
      }
      await expectKVError(() => store.list({ prefix: 1 as unknown as string }), "KV_OPTIONS_INVALID", [store.name])
      await expectKVError(() => store.list({ cursor: "" }), "KV_CURSOR_INVALID", [store.name])
      await expectKVError(() => store.list({ cursor: 7 as unknown as string }), "KV_CURSOR_INVALID", [store.name])
      await store.put("a", "v")
      assert.equal((await store.list({ limit: 1 })).keys.length, 1)
    })
  })
}
