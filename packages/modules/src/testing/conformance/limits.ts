import assert from "node:assert/strict"
import { KV_LIMITS } from "../../kv/limits.js"
import type { KVStore } from "../../kv/store.js"
import { DAY, expectKVError, names, rule, SECOND, type SuiteContext } from "./context.js"

/** Checks that a rejected put left the earlier entry untouched. */
async function stillHolds(store: KVStore, key: string, value: string): Promise<void> {
  const handle = await store.get(key)
  assert.equal(await handle?.text(), value, `the rejected put left "${key}" as it was`)
  assert.equal(handle?.expiresAt, null, `the rejected put left the expiry of "${key}" as it was`)
  assert.equal(handle?.metadata, null)
}

export function limitRules(t: SuiteContext): void {
  t.describe("limits, checked before anything is written", () => {
    rule(t, "limits: key length", "takes keys of 1 to 512 UTF-8 bytes, and refuses longer ones", async () => {
      const store = await t.store()
      const fits = {
        ascii: "k".repeat(512),
        twoBytes: "é".repeat(256),
        threeBytes: `${"€".repeat(170)}ab`,
        fourBytes: "😀".repeat(128),
        one: "x",
      }
      for (const [kind, key] of Object.entries(fits)) await store.put(key, kind)
      for (const [kind, key] of Object.entries(fits)) assert.equal(await (await store.get(key))?.text(), kind, kind)
      // One byte over, each way: a character that no longer fits is refused whole.
      const tooLong = [`${fits.ascii}k`, `${fits.twoBytes.slice(1)}€`, `${fits.threeBytes}c`, `${fits.fourBytes}a`]
      for (const key of tooLong)
        await expectKVError(() => store.put(key, "v"), "KV_KEY_INVALID", [...names(store, key), "513"])
      await expectKVError(() => store.put("😀".repeat(129), "v"), "KV_KEY_INVALID", ["516"])
      await expectKVError(() => store.put("", "v"), "KV_KEY_INVALID", [store.name, "empty"])
      await expectKVError(() => store.put(42 as unknown as string, "v"), "KV_KEY_INVALID", [store.name])
      await expectKVError(() => store.put("lone \uD800", "v"), "KV_KEY_INVALID", [store.name])
      assert.equal((await store.list()).keys.length, Object.keys(fits).length, "nothing else was written")
    })

    rule(t, "limits: dot keys", 'refuses the keys "." and ".."', async () => {
      const store = await t.store()
      await expectKVError(() => store.put(".", "v"), "KV_KEY_INVALID", names(store, "."))
      await expectKVError(() => store.put("..", "v"), "KV_KEY_INVALID", names(store, ".."))
      for (const key of ["...", "./", "a/..", ".hidden"]) {
        await store.put(key, "fine")
        assert.ok(await store.get(key), `${key} is an ordinary key`)
      }
    })

    rule(t, "limits: value size", "takes a value of exactly 25 MiB and refuses one byte more", async () => {
      const store = await t.store()
      const max = KV_LIMITS.maxValueBytes
      await store.put("big", "before")
      const mentions = [...names(store, "big"), String(max)]
      await expectKVError(() => store.put("big", new Uint8Array(max + 1)), "KV_VALUE_TOO_LARGE", mentions)
      await expectKVError(() => store.put("big", new ArrayBuffer(max + 1)), "KV_VALUE_TOO_LARGE", mentions)
      await expectKVError(() => store.put("big", "é".repeat(max / 2 + 1)), "KV_VALUE_TOO_LARGE", mentions)
      await expectKVError(() => store.put("big", new Blob([new Uint8Array(max + 1)])), "KV_VALUE_TOO_LARGE", mentions)
      const chunk = new Uint8Array(1024 * 1024)
      let sent = 0
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += chunk.byteLength
          controller.enqueue(chunk)
        },
      })
      await expectKVError(() => store.put("big", endless), "KV_VALUE_TOO_LARGE", names(store, "big"))
      assert.ok(sent <= max + 2 * chunk.byteLength, "the stream was not read far past the limit")
      await stillHolds(store, "big", "before")
      await store.put("big", new Uint8Array(max).fill(7))
      const stored = await store.get("big")
      assert.equal(stored?.size, max)
      const bytes = await stored?.bytes()
      assert.equal(bytes?.[0], 7)
      assert.equal(bytes?.[max - 1], 7)
    })

    rule(t, "limits: metadata size", "takes metadata up to 1024 bytes of JSON and refuses more", async () => {
      const store = await t.store()
      await store.put("m", "before")
      // {"pad":"..."} is 10 bytes around the padding; "é" is 2 bytes of UTF-8.
      const fits = { pad: `${"x".repeat(KV_LIMITS.maxMetadataBytes - 12)}é` }
      await store.put("fits", "v", { metadata: fits })
      assert.deepEqual((await store.get("fits"))?.metadata, fits)
      const mentions = [...names(store, "m"), "1024"]
      const tooBig = { pad: `${"x".repeat(KV_LIMITS.maxMetadataBytes - 11)}é` }
      await expectKVError(() => store.put("m", "after", { metadata: tooBig }), "KV_METADATA_TOO_LARGE", mentions)
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      await expectKVError(() => store.put("m", "after", { metadata: cyclic }), "KV_METADATA_INVALID", names(store, "m"))
      await expectKVError(() => store.put("m", "after", { metadata: () => 1 }), "KV_METADATA_INVALID")
      await expectKVError(() => store.put("m", "after", { metadata: 1n }), "KV_METADATA_INVALID")
      await stillHolds(store, "m", "before")
    })

    rule(t, "limits: ttl", "takes a TTL of whole seconds, at least 60, and refuses anything else", async () => {
      const store = await t.store()
      await store.put("t", "before")
      const refused = [59, 0, -1, 1.5, 60.5, Number.NaN, Number.POSITIVE_INFINITY, "60", null, Number.MAX_SAFE_INTEGER]
      for (const ttl of refused) {
        await expectKVError(
          () => store.put("t", "after", { ttlSeconds: ttl as number }),
          "KV_TTL_INVALID",
          names(store, "t"),
        )
      }
      await stillHolds(store, "t", "before")
      await store.put("t", "sixty", { ttlSeconds: 60 })
      assert.equal((await store.get("t"))?.expiresAt?.getTime(), t.clock.now() + 60 * SECOND)
      for (const ttl of [59, 0, 1.5, "3600"]) {
        await expectKVError(() => t.store({ ttlSeconds: ttl as number }), "KV_TTL_INVALID", ["ttlSeconds"])
      }
      const loose = await t.store({ portable: false })
      for (const ttl of [0, -1, 0.5]) {
        await expectKVError(() => loose.put("t", "v", { ttlSeconds: ttl }), "KV_TTL_INVALID", names(loose, "t"))
      }
    })

    rule(t, "limits: expiresAt", "takes an expiresAt at least 60 seconds ahead, and refuses others", async () => {
      const store = await t.store()
      await store.put("e", "before")
      const now = t.clock.now()
      const refused = [
        new Date(now + 59 * SECOND),
        now + 60 * SECOND - 1,
        now,
        now - DAY,
        Number.NaN,
        new Date("nonsense"),
        "2030-01-01",
        1e20,
        -1e20,
      ]
      for (const expiresAt of refused) {
        await expectKVError(
          () => store.put("e", "after", { expiresAt: expiresAt as number }),
          "KV_EXPIRATION_INVALID",
          names(store, "e"),
        )
      }
      await expectKVError(
        () => store.put("e", "after", { expiresAt: now + 120 * SECOND, ttlSeconds: 120 }),
        "KV_OPTIONS_INVALID",
        names(store, "e"),
      )
      await stillHolds(store, "e", "before")
      await store.put("e", "ok", { expiresAt: now + 60 * SECOND })
      assert.equal((await store.get("e"))?.expiresAt?.getTime(), now + 60 * SECOND)
    })

    const maxKeys = KV_LIMITS.maxGetManyKeys
    rule(
      t,
      "limits: getMany keys",
      `reads up to ${maxKeys} keys in one getMany, in order, and refuses more`,
      async () => {
        const store = await t.store()
        const max = KV_LIMITS.maxGetManyKeys
        const keys = Array.from({ length: max }, (_, index) => `key:${index}`)
        // Stored keys at the start, at batch edges of any size a driver might use, and at the end.
        const stored = [0, 1, 99, 100, 249, 250, 499, 500, max - 2, max - 1].map((index) => keys[index] as string)
        for (const key of stored) await store.put(key, `v-${key}`)
        const many = await store.getMany(keys)
        assert.deepEqual([...many.keys()], keys, "one entry per key, in the order asked")
        for (const key of keys) {
          assert.equal(await many.get(key)?.text(), stored.includes(key) ? `v-${key}` : undefined, key)
        }
        const mentions = [store.name, String(max), String(max + 1)]
        await expectKVError(() => store.getMany([...keys, "one more"]), "KV_TOO_MANY_KEYS", mentions)
        // A repeated key counts: the limit is on what the call is given.
        await expectKVError(() => store.getMany([...keys, "key:0"]), "KV_TOO_MANY_KEYS", mentions)
        await expectKVError(
          () => store.getMany(Array.from({ length: max + 1 }, () => "")),
          "KV_TOO_MANY_KEYS",
          mentions,
        )
      },
    )

    rule(t, "limits: nothing written", "checks every option before writing anything", async () => {
      const store = await t.store()
      let pulled = false
      // No queue, so the stream is pulled only when someone reads it.
      const stream = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            pulled = true
            controller.enqueue(new Uint8Array([1]))
            controller.close()
          },
        },
        { highWaterMark: 0 },
      )
      await expectKVError(() => store.put("fresh", stream, { ttlSeconds: 5 }), "KV_TTL_INVALID")
      assert.equal(pulled, false, "a refused put does not read the value")
      await expectKVError(
        () => store.put("fresh", "v", { contentType: "" }),
        "KV_OPTIONS_INVALID",
        names(store, "fresh"),
      )
      await expectKVError(() => store.put("fresh", "v", { contentType: "a\nb" }), "KV_OPTIONS_INVALID")
      await expectKVError(() => store.put("fresh", "v", null as unknown as object), "KV_OPTIONS_INVALID")
      await expectKVError(() => store.put("fresh", 42 as unknown as string, { metadata: 1n }), "KV_METADATA_INVALID")
      assert.equal(await store.get("fresh"), null, "nothing was written")
      assert.equal(await store.has("fresh"), false)
      assert.deepEqual((await store.list()).keys, [])
    })
  })
}
