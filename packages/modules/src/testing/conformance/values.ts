import assert from "node:assert/strict"
import { KV_LIMITS } from "../../kv/limits.js"
import { expectKVError, names, rule, type SuiteContext } from "./context.js"

const encoder = new TextEncoder()
const TEXT = "text/plain;charset=UTF-8"
const BINARY = "application/octet-stream"

function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk)
      controller.close()
    },
  })
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** Strings a decoder or a text path could change: each must come back exactly as put. */
const EDGE_STRINGS: Record<string, string> = {
  "leading BOM": "\uFEFFhello",
  "BOM only": "\uFEFF",
  "two BOMs": "\uFEFF\uFEFFx",
  "trailing BOM": "hello\uFEFF",
  "BOM inside": "a\uFEFFb",
  NUL: "\u0000",
  "NULs around": "\u0000a\u0000",
  astral: "\u{1F600}\u{1D11E}\u{10000}\u{10FFFF}",
  "combining marks": "e\u0301 a\u0308\u0308 \u0915\u094D\u0937 Z\u0351\u036B\u0343\u036A",
  "line and paragraph separators": "a\u2028b\u2029c",
  CRLF: "line 1\r\nline 2\r\n",
  "lone CR": "a\rb",
  noncharacters: "\uFFFE\uFFFF\uFDD0",
  "replacement character": "\uFFFD",
  "zero width": "\u200B\u200D\u2060",
  empty: "",
  "JSON after a BOM": '\uFEFF{"a":1}',
  "escapes as text": "\\u0000 %00 &#0; \\uFEFF",
}

/** A string of exactly `bytes` UTF-8 bytes: a BOM, then astral characters, then ASCII to fill. */
function textOfBytes(bytes: number): string {
  const astral = Math.floor((bytes - 3) / 4)
  return `\uFEFF${"\u{1F600}".repeat(astral)}${"a".repeat(bytes - 3 - astral * 4)}`
}

export function valueRules(t: SuiteContext): void {
  t.describe("values", () => {
    rule(t, "values: string", "round-trips a string", async () => {
      const store = await t.store()
      await store.put("greeting", "héllo wörld 👋 \u0000 end")
      const handle = await store.get("greeting")
      assert.ok(handle)
      assert.equal(handle.key, "greeting")
      assert.equal(await handle.text(), "héllo wörld 👋 \u0000 end")
      assert.equal(handle.expiresAt, null)
      assert.equal(handle.metadata, null)
    })

    rule(t, "values: text round trip", "gives back exactly the string put: BOMs, NUL, astral, CRLF", async () => {
      const store = await t.store()
      for (const [name, text] of Object.entries(EDGE_STRINGS)) await store.put(name, text)
      const many = await store.getMany(Object.keys(EDGE_STRINGS))
      for (const [name, text] of Object.entries(EDGE_STRINGS)) {
        const handle = await store.get(name)
        assert.ok(handle, name)
        assert.equal(await handle.text(), text, `text() of ${name}`)
        assert.deepEqual(await handle.bytes(), encoder.encode(text), `bytes() of ${name} are its UTF-8`)
        assert.deepEqual(await readAll(handle.stream()), encoder.encode(text), `stream() of ${name}`)
        assert.equal(await many.get(name)?.text(), text, `getMany of ${name}`)
      }
      const json = await store.get("JSON after a BOM")
      assert.deepEqual(await json?.json(), { a: 1 }, "json() skips a leading BOM, as Response.json() does")
      assert.equal(await json?.text(), '\uFEFF{"a":1}', "text() still has it")
      // Bytes with a BOM read as text keep it too.
      await store.put("bytes with a BOM", encoder.encode("\uFEFFbytes"))
      assert.equal(await (await store.get("bytes with a BOM"))?.text(), "\uFEFFbytes")
      // A BOM counts its 3 bytes: the longest string that fits comes back whole, one byte more is refused.
      const longest = textOfBytes(KV_LIMITS.maxValueBytes)
      await store.put("longest", longest)
      assert.ok((await (await store.get("longest"))?.text()) === longest, "the longest string comes back whole")
      await expectKVError(
        () => store.put("too long", textOfBytes(KV_LIMITS.maxValueBytes + 1)),
        "KV_VALUE_TOO_LARGE",
        names(store, "too long"),
      )
    })

    rule(t, "values: lone surrogate", "refuses a string with a lone surrogate rather than change it", async () => {
      const store = await t.store()
      await store.put("k", "before")
      for (const text of [
        "\uD800",
        "a\uDC00b",
        "\u{1F600}".slice(0, 1),
        "x\uD83D",
        "\uDE00\uD83D",
        `${"a".repeat(1000)}\uDFFF`,
      ]) {
        await expectKVError(() => store.put("k", text), "KV_VALUE_INVALID", [...names(store, "k"), "lone surrogate"])
      }
      assert.equal(await (await store.get("k"))?.text(), "before", "nothing was written")
      await store.put("k", "\uD83D\uDE00")
      assert.equal(await (await store.get("k"))?.text(), "\u{1F600}", "a surrogate pair is a character")
    })

    rule(t, "values: empty", "round-trips an empty string and an empty buffer", async () => {
      const store = await t.store()
      await store.put("empty", "")
      await store.put("empty-bytes", new Uint8Array(0))
      const handle = await store.get("empty")
      assert.ok(handle, "an empty value is still a value")
      assert.equal(await handle.text(), "")
      assert.equal(await store.has("empty-bytes"), true)
      assert.equal((await (await store.get("empty-bytes"))?.arrayBuffer())?.byteLength, 0)
    })

    rule(t, "values: binary", "round-trips ArrayBuffer, typed arrays and views into a larger buffer", async () => {
      const store = await t.store()
      const bytes = new Uint8Array([0, 1, 2, 127, 128, 250, 255])
      const big = new Uint8Array([9, 9, 1, 2, 3, 9, 9])
      await store.put("buffer", bytes.buffer.slice(0))
      await store.put("uint8", bytes)
      await store.put("node-buffer", Buffer.from(bytes))
      await store.put("view", new Uint8Array(big.buffer, 2, 3))
      await store.put("data-view", new DataView(big.buffer, 1, 3))
      await store.put("u16", new Uint16Array([1, 65535]))
      for (const key of ["buffer", "uint8", "node-buffer"]) {
        assert.deepEqual(new Uint8Array((await (await store.get(key))?.arrayBuffer()) ?? []), bytes, key)
      }
      assert.deepEqual(await (await store.get("view"))?.bytes(), new Uint8Array([1, 2, 3]))
      assert.deepEqual(await (await store.get("data-view"))?.bytes(), new Uint8Array([9, 1, 2]))
      const u16 = await store.get("u16")
      assert.deepEqual(new Uint16Array((await u16?.arrayBuffer()) as ArrayBuffer), new Uint16Array([1, 65535]))
      assert.equal(u16?.size, 4)
    })

    rule(
      t,
      "values: content type",
      "implies a content type from the value's type, or keeps the one given",
      async () => {
        const store = await t.store()
        await store.put("string", "s")
        await store.put("bytes", new Uint8Array([1]))
        await store.put("buffer", new ArrayBuffer(1))
        await store.put("stream", streamOf(new Uint8Array([1])))
        await store.put("typed-blob", new Blob(["<p>hi</p>"], { type: "text/html" }))
        await store.put("plain-blob", new Blob(["x"]))
        await store.put("given", '{"a":1}', { contentType: "application/json" })
        await store.put("given-bytes", new Uint8Array([137, 80]), { contentType: "image/png" })
        const expected: Record<string, string> = {
          string: TEXT,
          bytes: BINARY,
          buffer: BINARY,
          stream: BINARY,
          "typed-blob": "text/html",
          "plain-blob": BINARY,
          given: "application/json",
          "given-bytes": "image/png",
        }
        for (const [key, contentType] of Object.entries(expected)) {
          assert.equal((await store.get(key))?.contentType, contentType, key)
        }
        const many = await store.getMany(Object.keys(expected))
        for (const [key, contentType] of Object.entries(expected)) assert.equal(many.get(key)?.contentType, contentType)
      },
    )

    rule(t, "values: stream and blob", "round-trips a ReadableStream of many chunks and a Blob", async () => {
      const store = await t.store()
      await store.put("stream", streamOf(encoder.encode("part one, "), new Uint8Array(0), encoder.encode("part two")))
      assert.equal(await (await store.get("stream"))?.text(), "part one, part two")
      await store.put("empty-stream", streamOf())
      assert.equal(await (await store.get("empty-stream"))?.text(), "")
      const binary = new Uint8Array(300_000).map((_, index) => index % 251)
      await store.put("blob", new Blob([binary.subarray(0, 1000), binary.subarray(1000)]))
      assert.deepEqual(await (await store.get("blob"))?.bytes(), binary)
    })

    rule(
      t,
      "values: unreadable",
      "refuses a stream that fails midway, is locked or was already read, writing nothing",
      async () => {
        const store = await t.store()
        await store.put("k", "before")
        const gone = new Error("the client went away")
        let pulls = 0
        // The first chunk arrives, then the source fails: a client that disconnects mid-upload.
        const failing = () =>
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (pulls++ === 0) controller.enqueue(encoder.encode("half of it"))
              else controller.error(gone)
            },
          })
        for (const key of ["k", "fresh"]) {
          pulls = 0
          const error = await expectKVError(() => store.put(key, failing()), "KV_VALUE_UNREADABLE", names(store, key))
          assert.equal(error.cause, gone, "the stream's own error is the cause")
          assert.ok(pulls >= 2, "the stream failed after a chunk was read")
        }
        const broken = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.error(gone)
          },
        })
        await expectKVError(() => store.put("k", broken), "KV_VALUE_UNREADABLE", names(store, "k"))
        const locked = streamOf(encoder.encode("mine"))
        locked.getReader()
        await expectKVError(() => store.put("k", locked), "KV_VALUE_UNREADABLE", [...names(store, "k"), "locked"])
        const halfRead = streamOf(encoder.encode("first"), encoder.encode("second"))
        const reader = halfRead.getReader()
        await reader.read()
        reader.releaseLock()
        await expectKVError(() => store.put("k", halfRead), "KV_VALUE_UNREADABLE", [...names(store, "k"), "already"])
        const cancelled = streamOf(encoder.encode("never"))
        await cancelled.cancel()
        await expectKVError(() => store.put("fresh", cancelled), "KV_VALUE_UNREADABLE", names(store, "fresh"))
        assert.equal(await (await store.get("k"))?.text(), "before", "the earlier value is intact")
        assert.equal(await store.get("fresh"), null, "nothing was written")
        assert.deepEqual(
          (await store.list()).keys.map((listed) => listed.name),
          ["k"],
        )
      },
    )

    rule(t, "values: copies", "stores a copy and hands out copies: changing bytes changes nothing", async () => {
      const store = await t.store()
      const bytes = new Uint8Array([1, 2, 3])
      await store.put("copied", bytes)
      bytes[0] = 99
      const handle = await store.get("copied")
      assert.ok(handle)
      const read = await handle.bytes()
      assert.deepEqual(read, new Uint8Array([1, 2, 3]))
      read[1] = 77
      new Uint8Array(await handle.arrayBuffer())[2] = 77
      const streamed = await handle.stream().getReader().read()
      if (streamed.value) streamed.value[0] = 77
      assert.deepEqual(await handle.bytes(), new Uint8Array([1, 2, 3]), "the handle is unchanged")
      assert.deepEqual(await (await store.get("copied"))?.bytes(), new Uint8Array([1, 2, 3]), "the store is unchanged")
    })

    rule(t, "values: read twice", "reads a handle more than once, in every form", async () => {
      const store = await t.store()
      await store.put("session", JSON.stringify({ userId: "u1", roles: ["admin"] }))
      const handle = await store.get("session")
      assert.ok(handle)
      const text = '{"userId":"u1","roles":["admin"]}'
      for (let round = 0; round < 2; round++) {
        assert.deepEqual(await handle.json(), { userId: "u1", roles: ["admin"] })
        assert.equal(await handle.text(), text)
        assert.deepEqual(new Uint8Array(await handle.arrayBuffer()), encoder.encode(text))
        assert.deepEqual(await handle.bytes(), encoder.encode(text))
        assert.deepEqual(await readAll(handle.stream()), encoder.encode(text))
      }
    })

    rule(t, "values: not json", "json() of a value that is not JSON is a KV_NOT_JSON naming the key", async () => {
      const store = await t.store()
      await store.put("plain", "definitely { not json")
      const handle = await store.get("plain")
      assert.ok(handle)
      await expectKVError(() => handle.json(), "KV_NOT_JSON", names(store, "plain"))
      assert.equal(await handle.text(), "definitely { not json", "the handle is still readable")
    })

    rule(t, "values: metadata", "round-trips metadata, on the handle, in getMany and in the listing", async () => {
      const store = await t.store()
      const metadata = { userId: "u1", tags: ["a", "ü", "👋"], n: 1.5, nested: { ok: true, none: null } }
      await store.put("with-meta", "v", { metadata })
      await store.put("string-meta", "v", { metadata: "just a string" })
      await store.put("zero-meta", "v", { metadata: 0 })
      assert.deepEqual((await store.get("with-meta"))?.metadata, metadata)
      assert.deepEqual((await store.getMany(["with-meta"])).get("with-meta")?.metadata, metadata)
      assert.equal((await store.get("string-meta"))?.metadata, "just a string")
      assert.equal((await store.get("zero-meta"))?.metadata, 0)
      const listed = new Map((await store.list()).keys.map((key) => [key.name, key.metadata]))
      assert.deepEqual(listed.get("with-meta"), metadata)
      assert.equal(listed.get("string-meta"), "just a string")
      assert.equal(listed.get("zero-meta"), 0)
    })

    rule(t, "values: overwrite", "overwrites: the latest put wins, value and options alike", async () => {
      const store = await t.store()
      await store.put("k", new Uint8Array([1, 2]), { metadata: { v: 1 }, ttlSeconds: 3600, contentType: "x/y" })
      await store.put("k", "second")
      const handle = await store.get("k")
      assert.equal(await handle?.text(), "second")
      assert.equal(handle?.contentType, TEXT)
      assert.equal(handle?.metadata, null)
      assert.equal(handle?.expiresAt, null)
      assert.deepEqual((await store.list()).keys, [{ name: "k", expiresAt: null, metadata: null }])
    })

    rule(t, "values: invalid types", "refuses values of other types with KV_VALUE_INVALID", async () => {
      const store = await t.store()
      for (const value of [42, { a: 1 }, null, undefined, true, [1, 2], Symbol("s")]) {
        await expectKVError(() => store.put("bad", value as unknown as string), "KV_VALUE_INVALID", names(store, "bad"))
      }
      const textChunks = new ReadableStream({
        start(controller) {
          controller.enqueue("not bytes")
          controller.close()
        },
      })
      await expectKVError(() => store.put("bad", textChunks as ReadableStream<Uint8Array>), "KV_VALUE_INVALID")
      assert.equal(await store.get("bad"), null)
    })
  })
}
