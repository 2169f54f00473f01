// LAYERON_KV: which driver a store opens, and what a wrong value says.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { DEFAULT_KV_URL, KVError, kv, parseKVUrl } from "@layeron/modules"

const dir = mkdtempSync(join(tmpdir(), "layeron-url-"))
after(() => rmSync(dir, { recursive: true, force: true }))

describe("LAYERON_KV", () => {
  it("reads sqlite:<path> and memory:", () => {
    assert.deepEqual(parseKVUrl("sqlite:./data/kv.db"), { kind: "sqlite", path: "./data/kv.db" })
    assert.deepEqual(parseKVUrl("sqlite:/var/lib/app/kv.db"), { kind: "sqlite", path: "/var/lib/app/kv.db" })
    assert.deepEqual(parseKVUrl("memory:"), { kind: "memory" })
    assert.equal(DEFAULT_KV_URL, "sqlite:./.layeron/kv.db")
  })

  it("refuses anything else in one line naming the variable and the accepted forms", () => {
    for (const bad of ["", "foo", "sqlite:", "memory:x", "postgres://localhost/db", "SQLITE:./kv.db", "sqlite"]) {
      assert.throws(
        () => parseKVUrl(bad),
        (error: unknown) => {
          assert.ok(error instanceof KVError)
          assert.equal(error.code, "KV_CONFIG_INVALID")
          assert.match(error.message, /^LAYERON_KV=/)
          assert.match(error.message, /sqlite:<path>/)
          assert.match(error.message, /memory:/)
          assert.doesNotMatch(error.message, /\n/)
          return true
        },
        bad,
      )
    }
  })

  it("opens the driver LAYERON_KV names, on first use of a store on its own", async () => {
    const saved = process.env.LAYERON_KV
    process.env.LAYERON_KV = `sqlite:${join(dir, "nested", "kv.db")}`
    try {
      const store = kv({ name: "standalone" })
      await store.put("k", "v")
      assert.equal(await (await store.get("k"))?.text(), "v")
      await store.close()
      const again = kv({ name: "standalone" })
      assert.equal(await (await again.get("k"))?.text(), "v", "the file kept it")
      await again.close()
    } finally {
      if (saved === undefined) delete process.env.LAYERON_KV
      else process.env.LAYERON_KV = saved
    }
  })

  it("fails the first operation with the one-line error when LAYERON_KV is wrong", async () => {
    const saved = process.env.LAYERON_KV
    process.env.LAYERON_KV = "nonsense"
    try {
      const store = kv({ name: "misconfigured" })
      await assert.rejects(store.get("k"), { code: "KV_CONFIG_INVALID" })
    } finally {
      if (saved === undefined) delete process.env.LAYERON_KV
      else process.env.LAYERON_KV = saved
    }
  })

  it("shares one memory backend between stores, each seeing only its own keys", async () => {
    const a = kv({ name: "a", driver: "memory:" })
    const b = kv({ name: "b", driver: "memory:" })
    await a.put("k", "from a")
    assert.equal(await b.get("k"), null)
    await a.close()
    await b.close()
  })
})
