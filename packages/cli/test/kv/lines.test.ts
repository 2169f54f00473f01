// The dump's line reader: lines split across chunks, CRLF, blank lines, and a
// line over the limit refused before it is held whole.
import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { readLines } from "../../src/kv/lines.ts"

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part)
}

async function collect(input: AsyncIterable<Buffer>, maxBytes?: number) {
  const lines: { number: number; text: string }[] = []
  for await (const { number, text } of readLines(input, maxBytes)) lines.push({ number, text })
  return lines
}

describe("readLines", () => {
  it("joins lines split across chunks, drops CR of CRLF, skips blank lines but counts them", async () => {
    assert.deepEqual(await collect(chunks('{"a"', ':1}\r\n\n{"b":', "2}\n", "  \n", '{"c":3}')), [
      { number: 1, text: '{"a":1}' },
      { number: 3, text: '{"b":2}' },
      { number: 5, text: '{"c":3}' },
    ])
  })

  it("keeps multi-byte characters split between chunks intact", async () => {
    const bytes = Buffer.from("ключ🔑\n")
    const input = (async function* () {
      for (const byte of bytes) yield Buffer.from([byte])
    })()
    assert.deepEqual(await collect(input), [{ number: 1, text: "ключ🔑" }])
  })

  it("refuses a line over the limit, naming it, while it is still arriving", async () => {
    let pulled = 0
    const endless = (async function* () {
      yield Buffer.from("ok\n")
      for (;;) {
        pulled++
        yield Buffer.alloc(10, "x")
      }
    })()
    await assert.rejects(collect(endless, 100), /^UserError: line 2: longer than/)
    assert.ok(pulled <= 11, `stopped reading after ${pulled} chunks`)
  })
})
