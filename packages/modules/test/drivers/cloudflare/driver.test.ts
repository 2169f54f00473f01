// The Workers KV driver against real KV namespaces in workerd (Miniflare),
// reached from Node.js through Miniflare's bindings.
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { isKVError, KVStore, type StoredEntry } from "@layeron/modules"
import { cloudflareDriver, type KVNamespace } from "@layeron/modules/drivers/cloudflare"
// A Worker with strong stores imports this (the bundle does), which registers their driver.
import "@layeron/modules/drivers/durable-objects"
import { FakeClock } from "@layeron/modules/testing"
import { Miniflare } from "miniflare"
import { workersBindingName } from "../../../src/kv/drivers/cloudflare/binding.ts"
import { kvExpiry } from "../../../src/kv/drivers/cloudflare/driver.ts"

const NAMESPACES = ["DRIVER", "LIST", "STORE_A", "AUTH_USER_SESSIONS"]

let mf: Miniflare
const kv: Record<string, KVNamespace> = {}

before(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch: () => new Response(null) }",
    compatibilityDate: "2026-04-26",
    kvNamespaces: NAMESPACES,
  })
  for (const name of NAMESPACES) kv[name] = (await mf.getKVNamespace(name)) as unknown as KVNamespace
})

after(() => mf.dispose())

const encoder = new TextEncoder()

function entry(value: string | Uint8Array, overrides: Partial<StoredEntry> = {}): StoredEntry {
  return {
    value: typeof value === "string" ? encoder.encode(value) : value,
    contentType: "text/plain;charset=UTF-8",
    metadata: null,
    expiresAt: null,
    ...overrides,
  }
}

/** The real namespace, with a count of the calls made to it. */
function counting(namespace: KVNamespace) {
  const calls = { getWithMetadata: 0, put: 0 }
  const wrapped: KVNamespace = {
    getWithMetadata: ((...args: unknown[]) => {
      calls.getWithMetadata++
      return (namespace.getWithMetadata as (...forwarded: unknown[]) => unknown)(...args)
    }) as KVNamespace["getWithMetadata"],
    put: (...args) => {
      calls.put++
      return namespace.put(...args)
    },
    delete: (key) => namespace.delete(key),
    list: (options) => namespace.list(options),
  }
  return { calls, namespace: wrapped }
}

async function storedExpiration(namespace: KVNamespace, key: string): Promise<number | undefined> {
  const page = await namespace.list({ prefix: key })
  return page.keys.find((listed) => listed.name === key)?.expiration
}

describe("cloudflare driver", () => {
  test("get is one getWithMetadata call that returns value, content type, metadata and exact expiry", async () => {
    const { calls, namespace } = counting(kv.DRIVER as KVNamespace)
    const driver = cloudflareDriver(namespace)
    const expiresAt = Date.now() + 86_400_000 + 123
    await driver.put("session:1", entry('{"a":1}', { contentType: "application/json", metadata: '{"v":2}', expiresAt }))
    calls.getWithMetadata = 0
    const got = await driver.get("session:1")
    assert.equal(calls.getWithMetadata, 1)
    assert.deepEqual(got, {
      value: encoder.encode('{"a":1}'),
      contentType: "application/json",
      metadata: '{"v":2}',
      expiresAt,
    })
    assert.equal(await driver.get("missing"), null)
  })

  test("put gives KV the expiry rounded up to the second, and a relative TTL near KV's 60 s minimum", async () => {
    const driver = cloudflareDriver(kv.DRIVER as KVNamespace)
    const now = Date.now()
    const day = now + 86_400_000 + 1
    await driver.put("expiry:day", entry("x", { expiresAt: day }))
    assert.equal(await storedExpiration(kv.DRIVER as KVNamespace, "expiry:day"), Math.ceil(day / 1000))

    await driver.put("expiry:minute", entry("x", { expiresAt: now + 60_000 }))
    const minute = (await storedExpiration(kv.DRIVER as KVNamespace, "expiry:minute")) as number
    // KV counts the 60 s from its own clock, so allow for the second that may tick meanwhile.
    assert.ok(minute >= Math.floor(now / 1000) + 60 && minute <= Math.ceil(Date.now() / 1000) + 60, String(minute))

    await driver.put("expiry:none", entry("x"))
    assert.equal(await storedExpiration(kv.DRIVER as KVNamespace, "expiry:none"), undefined)
  })

  test("kvExpiry: absolute seconds rounded up, else a TTL of at least 60 s", () => {
    const now = 1_800_000_000_000
    assert.deepEqual(kvExpiry(null, now), {})
    assert.deepEqual(kvExpiry(now + 86_400_000, now), { expiration: 1_800_086_400 })
    assert.deepEqual(kvExpiry(now + 86_400_001, now), { expiration: 1_800_086_401 })
    assert.deepEqual(kvExpiry(now + 60_000, now), { expirationTtl: 60 })
    assert.deepEqual(kvExpiry(now + 65_500, now), { expirationTtl: 66 })
    // A store clock behind KV's (a test's fake clock) still gives KV a TTL it accepts.
    assert.deepEqual(kvExpiry(now - 5_000, now), { expirationTtl: 60 })
  })

  test("content type, metadata and expiry share KV's 1024 bytes of metadata, checked before the write", async () => {
    const { calls, namespace } = counting(kv.DRIVER as KVNamespace)
    const driver = cloudflareDriver(namespace, { label: "storage.kv(auth/sessions)" })
    const expiresAt = Date.now() + 3_600_000
    const overhead = JSON.stringify({ c: "text/plain;charset=UTF-8", e: expiresAt, m: { note: "" } }).length
    const fits = JSON.stringify({ note: "x".repeat(1024 - overhead) })
    await driver.put("meta:fits", entry("v", { metadata: fits, expiresAt }))
    assert.equal((await driver.get("meta:fits"))?.metadata, fits)

    // One byte more than KV takes, though the user's part alone is under 1024.
    const big = JSON.stringify({ note: "x".repeat(1024 - overhead + 1) })
    const before = calls.put
    await assert.rejects(
      () => driver.put("meta:big", entry("v", { metadata: big, expiresAt })),
      (error: unknown) =>
        isKVError(error, "KV_METADATA_TOO_LARGE") &&
        /storage\.kv\(auth\/sessions\) key "meta:big"/.test(error.message) &&
        /1024 bytes/.test(error.message),
    )
    assert.equal(calls.put, before, "nothing reached KV")
  })

  test("getMany reads up to 100 keys per bulk call, in order, and re-reads values that are not plain text", async () => {
    const { calls, namespace } = counting(kv.DRIVER as KVNamespace)
    const driver = cloudflareDriver(namespace)
    const keys = Array.from({ length: 230 }, (_, index) => `many:${String(index).padStart(3, "0")}`)
    for (const [index, key] of keys.entries()) {
      if (index % 3 !== 2) await driver.put(key, entry(`value ${index}`, { metadata: `{"i":${index}}` }))
    }
    const binary = new Uint8Array([0xff, 0x00, 0xfe])
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69])
    await driver.put("many:binary", entry(binary, { contentType: "application/octet-stream" }))
    await driver.put("many:bom", entry(bom))
    await driver.put("many:empty", entry(""))
    await driver.put("many:unicode", entry("héllo 🌍"))
    const asked = [...keys, "many:binary", "many:bom", "many:empty", "many:unicode"]

    calls.getWithMetadata = 0
    const got = await driver.getMany(asked)
    // 234 keys: 3 bulk reads, then one read each for the binary, BOM and empty values.
    assert.equal(calls.getWithMetadata, 3 + 3)
    assert.equal(got.length, asked.length)
    for (const [index] of keys.entries()) {
      const found = got[index]
      if (index % 3 === 2) assert.equal(found, null)
      else {
        assert.equal(new TextDecoder().decode(found?.value), `value ${index}`)
        assert.equal(found?.metadata, `{"i":${index}}`)
      }
    }
    assert.deepEqual(got[230]?.value, binary)
    assert.equal(got[230]?.contentType, "application/octet-stream")
    assert.deepEqual(got[231]?.value, bom)
    assert.deepEqual(got[232]?.value, new Uint8Array())
    assert.equal(new TextDecoder().decode(got[233]?.value), "héllo 🌍")
  })

  test("list maps prefix, limit, KV's cursor and list_complete, and leaves out what expired by `now`", async () => {
    const driver = cloudflareDriver(kv.LIST as KVNamespace)
    const now = Date.now()
    for (const key of ["a:1", "a:2", "a:3", "b:1"]) {
      await driver.put(key, entry(key, { metadata: `{"k":"${key}"}`, expiresAt: now + 3_600_000 }))
    }
    const first = await driver.list({ prefix: "a:", limit: 2, cursor: null, now })
    assert.deepEqual(
      first.entries.map((listed) => listed.key),
      ["a:1", "a:2"],
    )
    assert.deepEqual(first.entries[0], { key: "a:1", expiresAt: now + 3_600_000, metadata: '{"k":"a:1"}' })
    assert.equal(typeof first.cursor, "string")
    const second = await driver.list({ prefix: "a:", limit: 2, cursor: first.cursor, now })
    assert.deepEqual(
      second.entries.map((listed) => listed.key),
      ["a:3"],
    )
    assert.equal(second.cursor, null)

    const later = await driver.list({ prefix: "", limit: 10, cursor: null, now: now + 3_600_000 })
    assert.deepEqual(later, { entries: [], cursor: null })
  })

  test("an entry written by other tools reads as binary, its KV metadata as the user's", async () => {
    const driver = cloudflareDriver(kv.DRIVER as KVNamespace)
    await (kv.DRIVER as KVNamespace).put("foreign", encoder.encode("hi"), { metadata: { owner: "wrangler" } })
    assert.deepEqual(await driver.get("foreign"), {
      value: encoder.encode("hi"),
      contentType: "application/octet-stream",
      metadata: '{"owner":"wrangler"}',
      expiresAt: null,
    })
    await driver.delete("foreign")
    await driver.delete("foreign")
    assert.equal(await driver.get("foreign"), null)
  })

  test("KV refusing for now (429, 5xx) is KV_UNAVAILABLE, a 503; any other failure stays the runtime's error", async () => {
    // The real namespace, except that one call fails as the Workers runtime words it; Miniflare has no rate limit.
    let failure: string | undefined
    const real = kv.DRIVER as KVNamespace
    const failing: KVNamespace = {
      getWithMetadata: ((...args: unknown[]) =>
        failure === undefined
          ? (real.getWithMetadata as (...forwarded: unknown[]) => unknown)(...args)
          : Promise.reject(new Error(`KV GET failed: ${failure}`))) as KVNamespace["getWithMetadata"],
      put: (...args) =>
        failure === undefined ? real.put(...args) : Promise.reject(new Error(`KV PUT failed: ${failure}`)),
      delete: (key) =>
        failure === undefined ? real.delete(key) : Promise.reject(new Error(`KV DELETE failed: ${failure}`)),
      list: (options) =>
        failure === undefined ? real.list(options) : Promise.reject(new Error(`KV LIST failed: ${failure}`)),
    }
    const store = new KVStore({ name: "limited", namespace: "auth", driver: cloudflareDriver(failing) })
    await store.put("k", "v")
    for (const reason of ["429 Too Many Requests", "503 Service Unavailable", "500 Internal Server Error"]) {
      failure = reason
      for (const [operation, call] of [
        ["get", () => store.get("k")],
        ["put", () => store.put("k", "w")],
        ["delete", () => store.delete("k")],
        ["list", () => store.list()],
      ] as const) {
        await assert.rejects(call(), (error: unknown) => {
          assert.ok(isKVError(error, "KV_UNAVAILABLE"), `${operation} with ${reason}: ${String(error)}`)
          assert.equal(error.status, 503)
          assert.match(error.message, new RegExp(`cloudflare KV is unavailable \\(${operation}.*${reason}`))
          return true
        })
      }
    }
    failure = "400 Bad Request"
    await assert.rejects(store.put("k", "w"), (error: unknown) => isKVError(error, "KV_DRIVER_ERROR"))
    failure = undefined
    assert.equal(await (await store.get("k"))?.text(), "v", "nothing was written while KV refused")
  })

  test("refuses something that is not a KV namespace", () => {
    assert.throws(
      () => cloudflareDriver({} as KVNamespace),
      (error: unknown) => isKVError(error, "KV_CONFIG_INVALID"),
    )
  })
})

describe("storage.kv on Workers", () => {
  test("binding names come from namespace and name", () => {
    assert.equal(workersBindingName("auth", "user-sessions"), "AUTH_USER_SESSIONS")
    assert.equal(workersBindingName("default", "cache.v2"), "DEFAULT_CACHE_V2")
    assert.equal(workersBindingName("shop", "café"), "SHOP_CAF_")
  })

  test("a store started on Workers uses the namespace bound under its name, keys unprefixed", async () => {
    const clock = new FakeClock(Date.now())
    const store = new KVStore({ name: "user-sessions", namespace: "auth", ttlSeconds: 86_400, clock })
    assert.deepEqual(store.workersBindings(), [{ type: "kv_namespace", binding: "AUTH_USER_SESSIONS" }])
    await store.start({ env: { AUTH_USER_SESSIONS: kv.AUTH_USER_SESSIONS }, runtime: "workers" })
    await store.put("session:abc", JSON.stringify({ userId: "u1" }), { contentType: "application/json" })
    const handle = await store.get("session:abc")
    assert.deepEqual(await handle?.json(), { userId: "u1" })
    assert.equal(handle?.expiresAt?.getTime(), clock.now() + 86_400_000)
    const raw = await (kv.AUTH_USER_SESSIONS as KVNamespace).list()
    assert.deepEqual(
      raw.keys.map((key) => key.name),
      ["session:abc"],
    )
    clock.advanceSeconds(86_400)
    assert.equal(await store.get("session:abc"), null, "expired by the store's clock, whatever KV still holds")
    await store.close()
  })

  test("a missing binding fails the start, naming the binding and the wrangler.jsonc fix", async () => {
    const store = new KVStore({ name: "user-sessions", namespace: "auth" })
    await assert.rejects(
      () => store.start({ env: {}, runtime: "workers" }),
      (error: unknown) =>
        isKVError(error, "KV_CONFIG_INVALID") &&
        error.message.includes("env.AUTH_USER_SESSIONS") &&
        error.message.includes('"kv_namespaces" in wrangler.jsonc'),
    )
  })

  test("a portable: false store is refused, at build time and at start", async () => {
    const store = new KVStore({ name: "fast", namespace: "cache", portable: false })
    assert.throws(
      () => store.workersBindings(),
      (error: unknown) => isKVError(error, "KV_CONFIG_INVALID") && /portable: false/.test(error.message),
    )
    await assert.rejects(
      () => store.start({ env: { CACHE_FAST: kv.STORE_A }, runtime: "workers" }),
      (error: unknown) => isKVError(error, "KV_CONFIG_INVALID") && /storage\.kv\(cache\/fast\)/.test(error.message),
    )
  })

  test("a strong store binds a Durable Object namespace, and says so when env has another binding there", async () => {
    const store = new KVStore({ name: "rate", namespace: "api", consistency: "strong", shards: 4 })
    assert.deepEqual(store.workersBindings(), [
      { type: "durable_object_namespace", binding: "API_RATE", className: "LayeronKV_API_RATE" },
    ])
    await assert.rejects(
      () => store.start({ env: { API_RATE: kv.STORE_A }, runtime: "workers" }),
      (error: unknown) =>
        isKVError(error, "KV_CONFIG_INVALID") &&
        error.message.startsWith("storage.kv(api/rate): no Durable Object namespace is bound to env.API_RATE") &&
        error.message.includes('"durable_objects.bindings" in wrangler.jsonc') &&
        !error.message.includes("\n"),
    )
    // Given a Workers KV driver of its own, it is refused when declared: the driver has no atomic operations.
    assert.throws(
      () => new KVStore({ name: "rate", consistency: "strong", driver: cloudflareDriver(kv.STORE_A as KVNamespace) }),
      (error: unknown) => isKVError(error, "KV_CONFIG_INVALID") && /cloudflare driver has none/.test(error.message),
    )
    // shards means something only to a strong store, and within 1 to 64.
    for (const [options, pattern] of [
      [{ shards: 4 }, /shards applies to strong stores only/],
      [{ consistency: "strong", shards: 0 }, /shards must be a whole number from 1 to 64, got a number \(0\)/],
      [{ consistency: "strong", shards: 65 }, /got a number \(65\)/],
      [{ consistency: "strong", shards: "8" }, /got a string/],
    ] as const) {
      assert.throws(
        () => new KVStore({ name: "rate", ...(options as object) }),
        (error: unknown) => isKVError(error, "KV_OPTIONS_INVALID") && pattern.test(error.message),
      )
    }
  })

  test("an eventual store on Workers refuses every atomic operation with KV_NOT_ATOMIC, writing nothing", async () => {
    const store = new KVStore({ name: "plain", namespace: "api" })
    await store.start({ env: { API_PLAIN: kv.STORE_A }, runtime: "workers" })
    const calls: [string, () => Promise<unknown>][] = [
      ["add()", () => store.add("atomic-k", "v")],
      ["increment()", () => store.increment("atomic-k")],
      ["getAndDelete()", () => store.getAndDelete("atomic-k")],
      ["update()", () => store.update("atomic-k", () => "v")],
      ["put() with ifVersion", () => store.put("atomic-k", "v", { ifVersion: null })],
      ["delete() with ifVersion", () => store.delete("atomic-k", { ifVersion: "x" })],
    ]
    for (const [call, run] of calls) {
      await assert.rejects(
        run,
        (error: unknown) =>
          isKVError(error, "KV_NOT_ATOMIC") &&
          error.message.includes(call) &&
          error.message.includes('consistency: "strong"'),
      )
    }
    assert.equal(await store.get("atomic-k"), null)
    await store.close()
  })

  test("a store given its own driver keeps it on Workers", async () => {
    const driver = cloudflareDriver(kv.STORE_A as KVNamespace)
    const store = new KVStore({ name: "other", driver })
    await store.start({ env: {}, runtime: "workers" })
    await store.put("k", "v")
    assert.equal(await (await store.get("k"))?.text(), "v")
    await store.close()
  })
})
