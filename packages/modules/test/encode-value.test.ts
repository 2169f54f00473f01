// Values that fail while being read, beyond the conformance suite's streams
// (which every driver runs): a Blob whose file changed, a request body read
// twice, and a body the framework refuses with its own status.
import assert from "node:assert/strict"
import { mkdtempSync, openAsBlob, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { isKVError, type KVStore, kv } from "@layeron/modules"

const dir = mkdtempSync(join(tmpdir(), "layeron-values-"))
after(() => rmSync(dir, { recursive: true, force: true }))

const stores: [string, () => KVStore][] = [
  ["memory", () => kv({ name: "values", driver: "memory:" })],
  ["sqlite", () => kv({ name: "values", driver: `sqlite:${join(dir, "kv.db")}` })],
]

for (const [name, open] of stores) {
  describe(`a value that cannot be read, on ${name}`, () => {
    it("a Blob whose file changed is KV_VALUE_UNREADABLE naming the key, and nothing is written", async () => {
      const store = open()
      try {
        await store.put("upload", "before")
        const file = join(dir, `${name}-upload.txt`)
        writeFileSync(file, "the first content")
        const blob = await openAsBlob(file)
        writeFileSync(file, "changed after the Blob was made")
        await assert.rejects(store.put("upload", blob), (error: unknown) => {
          assert.ok(isKVError(error, "KV_VALUE_UNREADABLE"), String(error))
          assert.match(error.message, /^storage\.kv\(default\/values\) key "upload": the Blob value could not be read/)
          assert.equal((error.cause as Error).name, "NotReadableError")
          return true
        })
        assert.equal(await (await store.get("upload"))?.text(), "before")
      } finally {
        await store.close()
      }
    })

    it("a request body already read by the handler is KV_VALUE_UNREADABLE, not a TypeError", async () => {
      const store = open()
      try {
        const request = new Request("http://localhost/upload", { method: "PUT", body: "the body" })
        await request.text()
        await assert.rejects(store.put("body", request.body as ReadableStream<Uint8Array>), (error: unknown) =>
          isKVError(error, "KV_VALUE_UNREADABLE"),
        )
        assert.equal(await store.get("body"), null)
      } finally {
        await store.close()
      }
    })

    it("a stream failing with an HTTP client status (a body over the limit, 413) keeps that error", async () => {
      const store = open()
      try {
        const tooLarge = Object.assign(new Error("Content Too Large"), { status: 413 })
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            controller.error(tooLarge)
          },
        })
        await assert.rejects(store.put("body", body), (error: unknown) => error === tooLarge)
        assert.equal(await store.get("body"), null)
      } finally {
        await store.close()
      }
    })
  })
}
