import assert from "node:assert/strict"
import type { KVStore, KVStoreOptions, ListOptions, PutOptions } from "../../kv/store.js"
import { expectKVError, names, rule, type SuiteContext } from "./context.js"

const PUT_NAMES = "contentType, ttlSeconds, expiresAt, metadata"
const LIST_NAMES = "prefix, limit, cursor"

/** Checks that refused calls left the entry `key` as it was: `value`, no expiry, the default content type. */
async function untouched(store: KVStore, key: string, value: string): Promise<void> {
  const handle = await store.get(key)
  assert.equal(await handle?.text(), value, `the refused put left "${key}" as it was`)
  assert.equal(handle?.expiresAt, null, `the refused put left "${key}" without expiry`)
  assert.equal(handle?.contentType, "text/plain;charset=UTF-8")
}

/** A driver with no atomic operations: a strong store refuses it. */
const PLAIN_DRIVER = {
  name: "plain",
  get: () => null,
  getMany: () => [],
  put: () => undefined,
  delete: () => undefined,
  list: () => ({ entries: [], cursor: null }),
  close: () => undefined,
}

export function optionRules(t: SuiteContext): void {
  t.describe("options, strict on every call", () => {
    rule(
      t,
      "options: unknown names",
      "refuses an option name it does not know, and suggests the right one",
      async () => {
        const store = await t.store()
        await store.put("k", "before")
        const put: [Record<string, unknown>, string | null][] = [
          [{ ttl: 3600 }, "ttlSeconds"],
          [{ ttl: undefined }, "ttlSeconds"],
          [{ expirationTtl: 3600 }, "ttlSeconds"],
          [{ ttlseconds: 3600 }, "ttlSeconds"],
          [{ expiration: 2_000_000_000 }, "expiresAt"],
          [{ expires: Date.now() + 3_600_000 }, "expiresAt"],
          [{ contenttype: "text/html" }, "contentType"],
          [{ "content-type": "text/html" }, "contentType"],
          [{ meta: { a: 1 } }, "metadata"],
          [{ ttlSeconds: 3600, overwrite: false }, null],
        ]
        for (const [options, hint] of put) {
          const [name] = Object.keys(options).filter((option) => !PUT_NAMES.split(", ").includes(option))
          const mentions = [...names(store, "k"), JSON.stringify(name), PUT_NAMES]
          const error = await expectKVError(
            () => store.put("k", "after", options as PutOptions),
            "KV_OPTIONS_INVALID",
            hint === null ? mentions : [...mentions, `did you mean ${hint}?`],
          )
          if (hint === null) assert.doesNotMatch(error.message, /did you mean/)
        }
        await untouched(store, "k", "before")
        for (const [options, hint] of [
          [{ limt: 10 }, "limit"],
          [{ prefx: "a" }, "prefix"],
          [{ reverse: true }, null],
        ] as const) {
          const error = await expectKVError(() => store.list(options as unknown as ListOptions), "KV_OPTIONS_INVALID", [
            store.name,
            LIST_NAMES,
            ...(hint === null ? [] : [`did you mean ${hint}?`]),
          ])
          if (hint === null) assert.doesNotMatch(error.message, /did you mean/)
        }
        for (const [options, hint] of [
          [{ ttl: 3600 }, "ttlSeconds"],
          [{ namespce: "x" }, "namespace"],
          [{ url: "memory:" }, null],
        ] as const) {
          await expectKVError(() => t.store(options as unknown as Partial<KVStoreOptions>), "KV_OPTIONS_INVALID", [
            "storage.kv()",
            JSON.stringify(Object.keys(options)[0]),
            ...(hint === null ? [] : [`did you mean ${hint}?`]),
          ])
        }
        // Workers KV's get(key, "json") and its options object: reads take no options here.
        await expectKVError(() => store.get("k", "json" as never), "KV_OPTIONS_INVALID", [
          store.name,
          "get()",
          "json()",
        ])
        await expectKVError(() => store.getMany(["k"], { type: "json" } as never), "KV_OPTIONS_INVALID", ["getMany()"])
        await expectKVError(() => store.has("k", {} as never), "KV_OPTIONS_INVALID", ["has()"])
        await expectKVError(() => store.delete("k", { force: true } as never), "KV_OPTIONS_INVALID", ["delete()"])
        await untouched(store, "k", "before")
        // An option left undefined is no option at all.
        await store.put("k", "after", {
          contentType: undefined,
          ttlSeconds: undefined,
          expiresAt: undefined,
          metadata: undefined,
        })
        assert.equal((await store.list({ prefix: undefined, limit: undefined, cursor: undefined })).keys.length, 1)
        assert.equal(await (await store.get("k", undefined))?.text(), "after")
      },
    )

    rule(t, "options: wrong types", "says which type an option got when it is the wrong one", async () => {
      const store = await t.store()
      await store.put("k", "before")
      const put: [PutOptions, string, string][] = [
        [{ ttlSeconds: "60" as unknown as number }, "KV_TTL_INVALID", 'got a string ("60")'],
        [{ ttlSeconds: null as unknown as number }, "KV_TTL_INVALID", "got null"],
        [{ ttlSeconds: 60n as unknown as number }, "KV_TTL_INVALID", "got a bigint (60n)"],
        [{ expiresAt: "2030-01-01" as unknown as number }, "KV_EXPIRATION_INVALID", 'got a string ("2030-01-01")'],
        [{ expiresAt: true as unknown as number }, "KV_EXPIRATION_INVALID", "got a boolean (true)"],
        [{ expiresAt: new Date("nonsense") }, "KV_EXPIRATION_INVALID", "got an invalid Date"],
        [{ contentType: 5 as unknown as string }, "KV_OPTIONS_INVALID", "got a number (5)"],
        [{ metadata: () => 1 }, "KV_METADATA_INVALID", "got a function"],
      ]
      for (const [options, code, says] of put) {
        await expectKVError(() => store.put("k", "after", options), code as "KV_OPTIONS_INVALID", [
          ...names(store, "k"),
          says,
        ])
      }
      for (const [options, says] of [
        ["json", 'got a string ("json")'],
        [[60], "got an array"],
        [null, "got null"],
        [3600, "got a number (3600)"],
      ] as const) {
        await expectKVError(() => store.put("k", "after", options as PutOptions), "KV_OPTIONS_INVALID", [
          ...names(store, "k"),
          "put() options must be an object",
          says,
        ])
      }
      await untouched(store, "k", "before")
      for (const [options, code, says] of [
        [{ limit: "10" }, "KV_OPTIONS_INVALID", 'got a string ("10")'],
        [{ prefix: 1 }, "KV_OPTIONS_INVALID", "got a number (1)"],
        [{ cursor: 7 }, "KV_CURSOR_INVALID", "got a number (7)"],
        [{ cursor: null }, "KV_CURSOR_INVALID", "got null"],
        [null, "KV_OPTIONS_INVALID", "got null"],
        ["a", "KV_OPTIONS_INVALID", 'got a string ("a")'],
      ] as const) {
        await expectKVError(() => store.list(options as unknown as ListOptions), code, [store.name, says])
      }
      await expectKVError(() => store.getMany("k" as unknown as string[]), "KV_OPTIONS_INVALID", ['got a string ("k")'])
      for (const [options, code, says] of [
        [{ ttlSeconds: "60" }, "KV_TTL_INVALID", 'got a string ("60")'],
        [{ portable: "false" }, "KV_OPTIONS_INVALID", 'got a string ("false")'],
        [{ name: 5 }, "KV_OPTIONS_INVALID", "got a number (5)"],
        [{ driver: 5 }, "KV_CONFIG_INVALID", "got a number (5)"],
        [{ driver: {} }, "KV_CONFIG_INVALID", "got an object"],
        [{ clock: Date.now }, "KV_OPTIONS_INVALID", "got a function"],
        [{ consistency: "Strong" }, "KV_OPTIONS_INVALID", 'consistency must be "strong" or "eventual"'],
        [{ consistency: "strong", driver: PLAIN_DRIVER }, "KV_CONFIG_INVALID", "plain driver has none"],
      ] as const) {
        await expectKVError(() => t.store(options as unknown as Partial<KVStoreOptions>), code, [says])
      }
    })

    rule(
      t,
      "options: content type",
      "takes a content type an HTTP header can carry as is, and refuses others",
      async () => {
        const store = await t.store()
        await store.put("k", "before")
        const refused = [
          "",
          "text/plain\u0000",
          "text/plain\r\nX-Injected: 1",
          "a\rb",
          "a\nb",
          "text/plain\u007F",
          "text/plain; name=\u20AC",
          "text/\u{1F600}",
          "\u0100",
          " text/plain",
          "text/plain ",
          "\ttext/plain",
          `x/${"y".repeat(255)}`,
        ]
        for (const contentType of refused) {
          await expectKVError(() => store.put("k", "after", { contentType }), "KV_OPTIONS_INVALID", [
            ...names(store, "k"),
            "contentType",
          ])
        }
        await untouched(store, "k", "before")
        const accepted = [
          "text/plain; charset=utf-8",
          "application/vnd.api+json",
          "text/plain;\tq=1",
          'multipart/form-data; boundary="a b"',
          "text/x-latin; name=caf\u00E9",
          `x/${"y".repeat(254)}`,
        ]
        for (const [index, contentType] of accepted.entries()) {
          await store.put(`ok${index}`, "v", { contentType })
          assert.equal((await store.get(`ok${index}`))?.contentType, contentType)
          // What was accepted can be sent back as a header, unchanged.
          assert.equal(new Headers({ "content-type": contentType }).get("content-type"), contentType)
        }
      },
    )
  })
}
