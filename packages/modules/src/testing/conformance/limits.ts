import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { KV_LIMITS } from "../../kv/limits.js"
import type { KVStore } from "../../kv/store.js"
import { expectKVError, SECOND, type SuiteContext } from "./context.js"

/** Checks that a rejected put left the earlier value untouched. */
async function stillHolds(store: KVStore, key: string, value: string): Promise<void> {
  const handle = await store.get(key)
  assert.equal(await handle?.text(), value, `the rejected put left "${key}" as it was`)
}

export function limitRules(t: SuiteContext): void {
  describe("limits, checked before anything is written", () => {
    it("takes keys of 1 to 512 UTF-8 bytes, and refuses longer ones", {
      skip: t.skip("limits: key length"),
    }, async () => {
      const store = await t.store()
      const ascii = "k".repeat(KV_LIMITS.maxKeyBytes)
      const multibyte = "é".repeat(KV_LIMITS.maxKeyBytes / 2) // 2 bytes each
      await store.put(ascii, "a")
      await store.put(multibyte, "b")
      await store.put("x", "c")
      assert.equal(await (await store.get(ascii))?.text(), "a")
      assert.equal(await (await store.get(multibyte))?.text(), "b")
      await expectKVError(() => store.put(`${ascii}k`, "v"), "KV_KEY_INVALID", ["513", store.name])
      await expectKVError(() => store.put(`${multibyte.slice(1)}€`, "v"), "KV_KEY_INVALID", ["513"])
      await expectKVError(() => store.put("", "v"), "KV_KEY_INVALID", ["empty"])
    })

    it('refuses the keys "." and ".."', { skip: t.skip("limits: dot keys") }, async () => {
      const store = await t.store()
      await expectKVError(() => store.put(".", "v"), "KV_KEY_INVALID", ['"."'])
      await expectKVError(() => store.put("..", "v"), "KV_KEY_INVALID", ['".."'])
      await store.put("...", "three dots are fine")
      assert.ok(await store.get("..."))
    })

    it("takes a value of exactly 25 MiB and refuses one byte more", {
      skip: t.skip("limits: value size"),
    }, async () => {
      const store = await t.store()
      await store.put("big", "before")
      await expectKVError(() => store.put("big", new Uint8Array(KV_LIMITS.maxValueBytes + 1)), "KV_VALUE_TOO_LARGE", [
        '"big"',
        String(KV_LIMITS.maxValueBytes),
      ])
      await expectKVError(() => store.put("big", "x".repeat(KV_LIMITS.maxValueBytes + 1)), "KV_VALUE_TOO_LARGE")
      const chunk = new Uint8Array(1024 * 1024)
      let sent = 0
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += chunk.byteLength
          controller.enqueue(chunk)
        },
      })
      await expectKVError(() => store.put("big", endless), "KV_VALUE_TOO_LARGE")
      assert.ok(sent <= KV_LIMITS.maxValueBytes + 2 * chunk.byteLength, "the stream was not read far past the limit")
      await stillHolds(store, "big", "before")
      await store.put("big", new Uint8Array(KV_LIMITS.maxValueBytes))
      assert.equal((await store.get("big"))?.size, KV_LIMITS.maxValueBytes)
    })

    it("takes metadata up to 1024 bytes of JSON and refuses more", {
      skip: t.skip("limits: metadata size"),
    }, async () => {
      const store = await t.store()
      await store.put("m", "before")
      const fits = { pad: "x".repeat(KV_LIMITS.maxMetadataBytes - 10) } // {"pad":"..."} is 10 bytes of framing
      await store.put("fits", "v", { metadata: fits })
      assert.deepEqual((await store.get("fits"))?.metadata, fits)
      const tooBig = { pad: "x".repeat(KV_LIMITS.maxMetadataBytes - 9) }
      await expectKVError(() => store.put("m", "after", { metadata: tooBig }), "KV_METADATA_TOO_LARGE", ['"m"', "1024"])
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      await expectKVError(() => store.put("m", "after", { metadata: cyclic }), "KV_METADATA_INVALID")
      await stillHolds(store, "m", "before")
    })

    it("takes a TTL of whole seconds, at least 60, and refuses anything else", {
      skip: t.skip("limits: ttl"),
    }, async () => {
      const store = await t.store()
      await store.put("t", "before")
      for (const ttl of [59, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "60"]) {
        await expectKVError(() => store.put("t", "after", { ttlSeconds: ttl as number }), "KV_TTL_INVALID", [
          '"t"',
          "60",
        ])
      }
      await stillHolds(store, "t", "before")
      await store.put("t", "sixty", { ttlSeconds: 60 })
      assert.equal((await store.get("t"))?.expiresAt?.getTime(), t.clock.now() + 60 * SECOND)
      await expectKVError(() => t.store({ ttlSeconds: 30 }), "KV_TTL_INVALID")
    })

    it("takes an expiresAt at least 60 seconds ahead, and refuses others", {
      skip: t.skip("limits: expiresAt"),
    }, async () => {
      const store = await t.store()
      await store.put("e", "before")
      const now = t.clock.now()
      for (const expiresAt of [new Date(now + 59 * SECOND), now - 1, Number.NaN, new Date("nonsense")]) {
        await expectKVError(() => store.put("e", "after", { expiresAt }), "KV_EXPIRATION_INVALID", ['"e"'])
      }
      await expectKVError(
        () => store.put("e", "after", { expiresAt: now + 120 * SECOND, ttlSeconds: 120 }),
        "KV_OPTIONS_INVALID",
      )
      await stillHolds(store, "e", "before")
      await store.put("e", "ok", { expiresAt: now + 60 * SECOND })
      assert.ok(await store.get("e"))
    })

    it("checks every option before writing the value", { skip: t.skip("limits: nothing written") }, async () => {
      const store = await t.store()
      await expectKVError(() => store.put("fresh", "v", { ttlSeconds: 5 }), "KV_TTL_INVALID")
      await expectKVError(() => store.put("fresh", "v", { contentType: "" }), "KV_OPTIONS_INVALID")
      assert.equal(await store.get("fresh"), null, "nothing was written")
      assert.equal(await store.has("fresh"), false)
    })
  })
}
