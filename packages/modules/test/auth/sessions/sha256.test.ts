// The synchronous SHA-256 against Web Crypto's, on the standard's examples and
// on random inputs of every length across the block boundaries.
import assert from "node:assert/strict"
import { it } from "node:test"
import { sha256 } from "../../../src/auth/sessions/sha256.ts"

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")
const text = (value: string) => new TextEncoder().encode(value)

it("gives the FIPS 180-4 example digests", () => {
  assert.equal(hex(sha256(text(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  assert.equal(hex(sha256(text("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  assert.equal(
    hex(sha256(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  )
})

it("agrees with crypto.subtle.digest on 3000 random inputs of 0 to 299 bytes", async () => {
  for (let round = 0; round < 3000; round++) {
    const input = crypto.getRandomValues(new Uint8Array(round % 300))
    const expected = new Uint8Array(await crypto.subtle.digest("SHA-256", input))
    assert.equal(hex(sha256(input)), hex(expected), `length ${input.length}`)
  }
})

it("hashes a megabyte as Web Crypto does", async () => {
  const input = new Uint8Array(1 << 20).map((_, index) => index * 31)
  assert.equal(hex(sha256(input)), hex(new Uint8Array(await crypto.subtle.digest("SHA-256", input))))
})
