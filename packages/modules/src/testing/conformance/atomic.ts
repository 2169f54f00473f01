import assert from "node:assert/strict"
import type { KVStore, KVStoreOptions } from "../../kv/store.js"
import { expectKVError, names, rule, type SuiteContext } from "./context.js"

/** A store declared `consistency: "strong"`, where the atomic operations run. */
export function strongStore(t: SuiteContext, options: Partial<KVStoreOptions> = {}): Promise<KVStore> {
  return t.store({ consistency: "strong", ...options })
}

/** What a key holds, as far as a rule can see: to compare before and after a call that must write nothing. */
export async function snapshot(store: KVStore, key: string) {
  const handle = await store.get(key)
  if (handle === null) return null
  return {
    text: await handle.text(),
    contentType: handle.contentType,
    metadata: handle.metadata,
    expiresAt: handle.expiresAt?.getTime() ?? null,
    version: handle.version,
  }
}

export function atomicRules(t: SuiteContext): void {
  t.describe("atomic operations", () => {
    rule(
      t,
      "atomic: eventual stores",
      "refuses every atomic operation on an eventual store with KV_NOT_ATOMIC, saying to declare it strong",
      async () => {
        const store = await t.store()
        assert.equal(store.consistency, "eventual", "stores are eventual by default")
        await store.put("k", "kept", { metadata: { m: 1 } })
        const before = await snapshot(store, "k")
        assert.equal(before?.version, null, "an eventual store shows no version")
        const calls: [string, () => Promise<unknown>][] = [
          ["add()", () => store.add("new", "v")],
          ["increment()", () => store.increment("new")],
          ["getAndDelete()", () => store.getAndDelete("k")],
          ["update()", () => store.update("k", () => "changed")],
          ["put() with ifVersion", () => store.put("k", "changed", { ifVersion: null })],
          ["delete() with ifVersion", () => store.delete("k", { ifVersion: "any" })],
        ]
        for (const [call, run] of calls) {
          await expectKVError(run, "KV_NOT_ATOMIC", [store.name, call, 'consistency: "strong"'])
        }
        assert.deepEqual(await snapshot(store, "k"), before, "nothing changed")
        assert.equal(await store.has("new"), false, "nothing written")
      },
    )

    rule(t, "atomic: add", "writes with add() only where the key is absent, and says whether it wrote", async () => {
      const store = await strongStore(t, { ttlSeconds: 3600 })
      assert.equal(await store.add("lock", "first", { metadata: { owner: "a" }, contentType: "text/x-lock" }), true)
      const written = await snapshot(store, "lock")
      assert.equal(written?.text, "first")
      assert.deepEqual(written?.metadata, { owner: "a" })
      assert.equal(written?.contentType, "text/x-lock")
      assert.equal(written?.expiresAt, t.clock.now() + 3600 * 1000, "the store's TTL applies, as for put()")
      assert.equal(await store.add("lock", "second"), false, "a present key is left alone")
      assert.deepEqual(await snapshot(store, "lock"), written)
      await store.delete("lock")
      assert.equal(await store.add("lock", "third", { ttlSeconds: 60 }), true, "absent again after a delete")
      assert.equal(await (await store.get("lock"))?.text(), "third")
      await expectKVError(() => store.add("", "v"), "KV_KEY_INVALID", [store.name])
      const typo = { ttl: 60 } as unknown as { ttlSeconds: number }
      await expectKVError(() => store.add("other", "v", typo), "KV_OPTIONS_INVALID", ["add()", "ttlSeconds"])
      await expectKVError(() => store.add("other", "v", { ttlSeconds: 1 }), "KV_TTL_INVALID")
      assert.equal(await store.has("other"), false)
    })

    rule(t, "atomic: increment", "counts with increment(), creating the counter at delta", async () => {
      const store = await strongStore(t)
      assert.equal(await store.increment("hits"), 1, "a missing counter starts at delta (default 1)")
      assert.equal(await store.increment("hits"), 2)
      assert.equal(await store.increment("hits", 10), 12)
      assert.equal(await store.increment("hits", -15), -3)
      assert.equal(await store.increment("hits", 0), -3)
      const handle = await store.get("hits")
      assert.equal(await handle?.text(), "-3", "a counter reads back as decimal text")
      assert.equal(await handle?.json(), -3)
      assert.equal(handle?.contentType, "text/plain;charset=UTF-8")
      assert.equal(handle?.expiresAt, null, "no TTL given and none on the store")
      assert.equal(await store.increment("down", -5), -5)
      // A counter written by put() counts too, and keeps its content type and metadata.
      await store.put("put", "41", { contentType: "application/json", metadata: { kind: "counter" } })
      assert.equal(await store.increment("put"), 42)
      const put = await snapshot(store, "put")
      assert.equal(put?.text, "42")
      assert.equal(put?.contentType, "application/json")
      assert.deepEqual(put?.metadata, { kind: "counter" })
      // The expiry is set when the counter is created; later options leave it.
      const created = await store.increment("window", 1, { ttlSeconds: 120 })
      assert.equal(created, 1)
      const expiresAt = (await store.get("window"))?.expiresAt?.getTime()
      assert.equal(expiresAt, t.clock.now() + 120 * 1000)
      assert.equal(await store.increment("window", 1, { ttlSeconds: 3600 }), 2)
      assert.equal((await store.get("window"))?.expiresAt?.getTime(), expiresAt, "a later increment keeps the expiry")
      assert.equal(await store.increment("at", 1, { expiresAt: new Date(t.clock.now() + 7200 * 1000) }), 1)
      assert.equal((await store.get("at"))?.expiresAt?.getTime(), t.clock.now() + 7200 * 1000)
      for (const delta of [1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, "1", null]) {
        await expectKVError(() => store.increment("bad", delta as number), "KV_OPTIONS_INVALID", ["delta"])
      }
      const typo = { ttl: 60 } as unknown as { ttlSeconds: number }
      await expectKVError(() => store.increment("bad", 1, typo), "KV_OPTIONS_INVALID", ["ttlSeconds"])
      const metadata = { metadata: {} } as unknown as { ttlSeconds: number }
      await expectKVError(() => store.increment("bad", 1, metadata), "KV_OPTIONS_INVALID", ["increment()"])
      await expectKVError(() => store.increment("", 1), "KV_KEY_INVALID")
      assert.equal(await store.has("bad"), false)
    })

    rule(
      t,
      "atomic: not a counter",
      "refuses to increment a value that is not a counter, or past the safe integer range, writing nothing",
      async () => {
        const store = await strongStore(t)
        const values = [
          "abc",
          "1.5",
          "1.0",
          "007",
          " 1",
          "1 ",
          "+1",
          "-0",
          "-",
          "",
          "1e3",
          "0x10",
          "inf",
          "nan",
          '{"n":1}',
          "99999999999999999",
        ]
        for (const [index, value] of values.entries()) {
          const key = `value-${index}`
          await store.put(key, value)
          const before = await snapshot(store, key)
          await expectKVError(() => store.increment(key), "KV_NOT_COUNTER", [...names(store, key), "not a counter"])
          assert.deepEqual(await snapshot(store, key), before, `${JSON.stringify(value)} is unchanged`)
        }
        await store.put("binary", new Uint8Array([0x31, 0xff]))
        await expectKVError(() => store.increment("binary"), "KV_NOT_COUNTER")
        await store.put("max", String(Number.MAX_SAFE_INTEGER))
        const before = await snapshot(store, "max")
        await expectKVError(() => store.increment("max"), "KV_NOT_COUNTER", ["safe integer range"])
        assert.deepEqual(await snapshot(store, "max"), before)
        assert.equal(await store.increment("max", -1), Number.MAX_SAFE_INTEGER - 1)
        await store.put("min", String(-Number.MAX_SAFE_INTEGER))
        await expectKVError(() => store.increment("min", -1), "KV_NOT_COUNTER", ["safe integer range"])
        assert.equal(await store.increment("min", Number.MAX_SAFE_INTEGER), 0)
      },
    )

    rule(t, "atomic: getAndDelete", "hands an entry out once with getAndDelete()", async () => {
      const store = await strongStore(t)
      await store.put("token", "secret", { ttlSeconds: 600, metadata: { user: "u1" }, contentType: "text/x-token" })
      const before = await snapshot(store, "token")
      const taken = await store.getAndDelete("token")
      assert.equal(await taken?.text(), "secret")
      assert.equal(await taken?.text(), "secret", "the handle reads again")
      assert.deepEqual(taken?.metadata, { user: "u1" })
      assert.equal(taken?.contentType, "text/x-token")
      assert.equal(taken?.expiresAt?.getTime(), before?.expiresAt)
      assert.equal(taken?.version, before?.version)
      assert.equal(await store.get("token"), null, "gone")
      assert.equal(await store.getAndDelete("token"), null, "a second call gets nothing")
      assert.equal(await store.getAndDelete("never"), null)
      // Reads are forgiving: a key that could never be stored is simply absent.
      assert.equal(await store.getAndDelete(""), null)
      assert.equal(await store.getAndDelete("x".repeat(600)), null)
      await store.put("kept", "v")
      await expectKVError(() => store.getAndDelete("kept", "json" as never), "KV_OPTIONS_INVALID")
      assert.ok(await store.get("kept"))
    })

    rule(t, "atomic: versions", "gives every write of a key a new version, never repeated", async () => {
      const store = await strongStore(t)
      const seen = new Set<string>()
      const record = async (what: string) => {
        const version = (await store.get("k"))?.version
        assert.equal(typeof version, "string", `${what}: a strong store's handle has a version`)
        assert.ok(!seen.has(version as string), `${what}: a new version`)
        seen.add(version as string)
        return version as string
      }
      await store.put("k", "same")
      const first = await record("put")
      assert.equal((await store.get("k"))?.version, first, "reading does not change it")
      assert.equal((await store.getMany(["k"])).get("k")?.version, first, "getMany gives the same")
      await store.put("k", "same")
      await record("the same value again")
      await store.delete("k")
      await store.add("k", "same")
      await record("add after a delete")
      await store.put("k", "1")
      await record("put")
      await store.increment("k")
      await record("increment")
      await store.update("k", () => "2")
      await record("update")
      await store.getAndDelete("k")
      await store.put("k", "same")
      await record("put after getAndDelete")
      await store.put("other", "same")
      assert.notEqual((await store.get("other"))?.version, (await store.get("k"))?.version, "another key's version")
    })

    rule(t, "atomic: ifVersion", "writes and deletes with ifVersion only at that version", async () => {
      const store = await strongStore(t)
      await store.put("doc", "v1")
      const v1 = (await store.get("doc"))?.version as string
      await store.put("doc", "v2", { ifVersion: v1, metadata: { n: 2 } })
      const v2 = await snapshot(store, "doc")
      assert.equal(v2?.text, "v2", "written at the version read")
      assert.deepEqual(v2?.metadata, { n: 2 }, "with its options")
      await expectKVError(() => store.put("doc", "stale", { ifVersion: v1 }), "KV_CONFLICT", names(store, "doc"))
      await expectKVError(() => store.put("doc", "stale", { ifVersion: null }), "KV_CONFLICT", ["absent"])
      await expectKVError(() => store.delete("doc", { ifVersion: v1 }), "KV_CONFLICT", names(store, "doc"))
      await expectKVError(() => store.delete("doc", { ifVersion: null }), "KV_CONFLICT")
      assert.deepEqual(await snapshot(store, "doc"), v2, "a conflict writes nothing")
      await store.delete("doc", { ifVersion: v2?.version as string })
      assert.equal(await store.get("doc"), null, "deleted at its version")
      await store.delete("doc", { ifVersion: null })
      await store.delete("", { ifVersion: null })
      await expectKVError(() => store.put("doc", "x", { ifVersion: v1 }), "KV_CONFLICT", ["absent"])
      await expectKVError(() => store.delete("doc", { ifVersion: v1 }), "KV_CONFLICT")
      assert.equal(await store.get("doc"), null)
      await store.put("doc", "created", { ifVersion: null })
      assert.equal(await (await store.get("doc"))?.text(), "created", "null: only if absent")
      for (const ifVersion of [1, {}, true]) {
        const bad = { ifVersion } as unknown as { ifVersion: string }
        await expectKVError(() => store.put("doc", "x", bad), "KV_OPTIONS_INVALID", ["ifVersion"])
        await expectKVError(() => store.delete("doc", bad), "KV_OPTIONS_INVALID", ["ifVersion"])
      }
      const typo = { ifversion: null } as unknown as { ifVersion: null }
      await expectKVError(() => store.delete("doc", typo), "KV_OPTIONS_INVALID", ["ifVersion"])
      assert.equal(await (await store.get("doc"))?.text(), "created")
    })

    rule(t, "atomic: update", "reads, changes and writes with update(), losing no concurrent update", async () => {
      const store = await strongStore(t)
      let seen: unknown = "not called"
      const created = await store.update("doc", async (current) => {
        seen = current
        return JSON.stringify({ n: 1 })
      })
      assert.equal(seen, null, "an absent key is given as null")
      assert.equal(await created?.text(), '{"n":1}')
      assert.equal(created?.version, (await store.get("doc"))?.version, "returns the entry as written")
      const next = await store.update(
        "doc",
        async (current) => {
          const { n } = (await current?.json<{ n: number }>()) ?? { n: 0 }
          return JSON.stringify({ n: n + 1 })
        },
        { ttlSeconds: 600, metadata: { by: "update" }, contentType: "application/json" },
      )
      const written = await snapshot(store, "doc")
      assert.equal(written?.text, '{"n":2}')
      assert.deepEqual(written?.metadata, { by: "update" }, "options apply as for put()")
      assert.equal(written?.expiresAt, t.clock.now() + 600 * 1000)
      assert.equal(written?.contentType, "application/json")
      assert.equal(next?.version, written?.version)
      const kept = await store.update("doc", () => undefined)
      assert.equal(kept?.version, written?.version, "undefined leaves the entry as it is")
      assert.deepEqual(await snapshot(store, "doc"), written)
      await assert.rejects(
        store.update("doc", () => {
          throw new Error("changed my mind")
        }),
        /changed my mind/,
      )
      assert.deepEqual(await snapshot(store, "doc"), written, "a change that throws writes nothing")
      assert.equal(await store.update("doc", () => null), null, "null deletes")
      assert.equal(await store.get("doc"), null)
      assert.equal(await store.update("doc", () => null), null, "null on an absent key does nothing")
      // A write between the read and the write: the change runs again on what is there now.
      await store.put("raced", "a")
      const calls: string[] = []
      await store.update("raced", async (current) => {
        const text = (await current?.text()) as string
        calls.push(text)
        if (calls.length === 1) await store.put("raced", "b")
        return `${text}+`
      })
      assert.deepEqual(calls, ["a", "b"])
      assert.equal(await (await store.get("raced"))?.text(), "b+")
      // Concurrent updates in one process: none is lost.
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.update("count", async (current) => String(Number((await current?.text()) ?? "0") + 1)),
        ),
      )
      assert.equal(await (await store.get("count"))?.text(), "20")
      const notFunction = "x" as unknown as () => string
      await expectKVError(() => store.update("doc", notFunction), "KV_OPTIONS_INVALID", ["function"])
      const typo = { ttl: 60 } as unknown as { ttlSeconds: number }
      await expectKVError(() => store.update("doc", () => "v", typo), "KV_OPTIONS_INVALID", ["ttlSeconds"])
      assert.equal(await store.get("doc"), null)
    })

    rule(
      t,
      "atomic: conflict writes nothing",
      "gives up an update() that keeps losing with KV_CONFLICT, leaving what the winner wrote",
      async () => {
        const store = await strongStore(t)
        await store.put("hot", "0")
        let calls = 0
        await expectKVError(
          () =>
            store.update("hot", async () => {
              calls++
              // Another writer wins every time, between this read and this write.
              await store.put("hot", `other ${calls}`, { metadata: { n: calls } })
              return "mine"
            }),
          "KV_CONFLICT",
          [...names(store, "hot"), "update()"],
        )
        assert.equal(calls, 10, "a bounded number of tries")
        const left = await snapshot(store, "hot")
        assert.equal(left?.text, "other 10")
        assert.deepEqual(left?.metadata, { n: 10 })
      },
    )

    rule(
      t,
      "atomic: concurrent calls",
      "lets one of many concurrent adds win, one getAndDelete take, and counts every increment",
      async () => {
        const store = await strongStore(t)
        const many = 40
        const adds = await Promise.all(Array.from({ length: many }, (_, index) => store.add("lock", `owner ${index}`)))
        assert.equal(adds.filter(Boolean).length, 1, "exactly one add wins")
        assert.equal(await (await store.get("lock"))?.text(), `owner ${adds.indexOf(true)}`)
        const counts = await Promise.all(Array.from({ length: many }, () => store.increment("counter")))
        assert.deepEqual(
          [...counts].sort((a, b) => a - b),
          Array.from({ length: many }, (_, index) => index + 1),
          "each increment sees its own count",
        )
        await store.put("token", "once")
        const taken = await Promise.all(Array.from({ length: many }, () => store.getAndDelete("token")))
        assert.equal(taken.filter((handle) => handle !== null).length, 1, "exactly one caller gets the entry")
      },
    )
  })
}
