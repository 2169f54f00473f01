// Tokens: their shape, and the base64url the store and tokens are written in.
import assert from "node:assert/strict"
import { createHash } from "node:crypto"
import { it } from "node:test"
import { base64url, hashSecret, hashSecretPortably, newToken, parseToken } from "../../../src/auth/sessions/token.ts"

it("writes base64url as Node.js's Buffer does, for every length and byte", () => {
  for (let length = 0; length < 70; length++) {
    for (let round = 0; round < 40; round++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length))
      assert.equal(base64url(bytes), Buffer.from(bytes).toString("base64url"))
    }
  }
  assert.equal(base64url(new Uint8Array([0xfb, 0xff, 0xbf])), "-_-_")
})

it("makes tokens of the shape it parses, with a 256-bit secret that hashes to 43 characters", () => {
  const { token, parts } = newToken("u".repeat(22))
  assert.deepEqual(parseToken(token), parts)
  assert.equal(Buffer.from(parts.secret, "base64url").length, 32)
  assert.match(hashSecret(parts.secret), /^[\w-]{43}$/)
  assert.notEqual(hashSecret(parts.secret), parts.secret)
  for (const bad of [
    `${token} `,
    ` ${token}`,
    token.replace(".", ","),
    `${token}=`,
    token.slice(1),
    `${token.slice(0, -1)}+`,
  ]) {
    assert.equal(parseToken(bad), null, bad)
  }
})

it("stores the SHA-256 of the secret, the digest crypto.subtle.digest gives", async () => {
  for (let round = 0; round < 200; round++) {
    const { parts } = newToken("u".repeat(22))
    const expected = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.secret)))
    assert.equal(hashSecret(parts.secret), base64url(expected))
    assert.equal(hashSecretPortably(parts.secret), base64url(expected))
  }
})

it("hashes any length as sha256() does, one call after another on its reused hasher", () => {
  const characters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
  for (let round = 0; round < 3; round++) {
    for (let length = 0; length < 140; length++) {
      let text = ""
      for (let index = 0; index < length; index++) text += characters.charAt((index * 7 + round + length) % 64)
      const expected = Buffer.from(createHash("sha256").update(text).digest()).toString("base64url")
      assert.equal(hashSecret(text), expected, `length ${length}`)
      // noble's, as on Workers, where Node.js's crypto.hash is not there.
      assert.equal(hashSecretPortably(text), expected, `noble, length ${length}`)
    }
  }
})
