import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { hexDump, MAX_HEX_BYTES, MAX_TEXT_CHARS, showValue } from "../../src/inspector/value.ts"

const utf8 = (text: string) => new TextEncoder().encode(text)

describe("inspector: how a value is shown", () => {
  it("pretty-prints JSON of any JSON content type, skipping a BOM as handle.json() does", () => {
    for (const type of [
      "application/json",
      "application/json; charset=utf-8",
      "application/ld+json",
      "APPLICATION/JSON",
    ]) {
      assert.deepEqual(showValue(utf8('\uFEFF{"a":[1]}'), type), {
        kind: "json",
        text: '{\n  "a": [\n    1\n  ]\n}',
        truncated: false,
      })
    }
  })

  it("shows text types as text, cut at the limit without splitting a surrogate pair", () => {
    assert.deepEqual(showValue(utf8("hi <b>"), "text/plain;charset=UTF-8"), {
      kind: "text",
      text: "hi <b>",
      truncated: false,
    })
    const long = `${"a".repeat(MAX_TEXT_CHARS - 1)}😀tail`
    const shown = showValue(utf8(long), "text/plain")
    assert.equal(shown.kind, "text")
    assert.equal(shown.truncated, true)
    assert.equal((shown as { text: string }).text, "a".repeat(MAX_TEXT_CHARS - 1))
    const bigJson = JSON.stringify({ a: "x".repeat(MAX_TEXT_CHARS) })
    assert.deepEqual(
      { ...showValue(utf8(bigJson), "application/json"), text: undefined },
      { kind: "text", text: undefined, truncated: true },
    )
  })

  it("shows bytes that are not UTF-8 as hex, whatever the content type claims", () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x41])
    assert.deepEqual(showValue(bytes, "text/plain"), {
      kind: "binary",
      hex: "00000000  ff fe 41                                         |..A|",
      truncated: false,
    })
    assert.equal(showValue(utf8("plain words"), "application/octet-stream").kind, "binary")
    assert.equal(showValue(utf8("x"), "image/png").kind, "binary")
  })

  it("dumps 16 bytes a line with offsets and printable ASCII, up to the limit", () => {
    const bytes = new Uint8Array(MAX_HEX_BYTES + 100).map((_, i) => i % 256)
    const shown = showValue(bytes, "application/octet-stream") as { hex: string; truncated: boolean }
    assert.equal(shown.truncated, true)
    const lines = shown.hex.split("\n")
    assert.equal(lines.length, MAX_HEX_BYTES / 16)
    assert.equal(lines[4], "00000040  40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f  |@ABCDEFGHIJKLMNO|")
    assert.equal(
      hexDump(new Uint8Array([0x3c, 0x7f, 0x20])),
      "00000000  3c 7f 20                                         |<. |",
    )
  })
})
