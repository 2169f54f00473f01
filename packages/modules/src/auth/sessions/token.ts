// Session tokens: `<user key>.<session id>.<secret>`, each part base64url.
// The user key and the id say where the session is stored and are not
// secret; only the secret authenticates, and only its SHA-256 is stored.

// @noble/hashes: an audited, synchronous SHA-256 that runs on Workers too. Node.js 20's
// crypto.subtle.digest cost 30-50 µs a call in a profile of verify(); this costs a few.
import { sha256 } from "@noble/hashes/sha2.js"

const SECRET_BYTES = 32 // 256 random bits
const ID_BYTES = 16
const USER_KEY_LENGTH = 22 // 132 bits of a SHA-256: no two users share a key in practice

// Exactly what create() makes: anything else is refused before storage is read.
const TOKEN_SHAPE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/

/** The parts of a token that has the right shape (not yet checked against storage). */
export interface TokenParts {
  readonly userKey: string
  readonly id: string
  readonly secret: string
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/** Base64url without padding (RFC 4648 section 5): on every request, so by table rather than btoa and replaces. */
export function base64url(bytes: Uint8Array): string {
  let text = ""
  let index = 0
  for (; index + 2 < bytes.length; index += 3) {
    const triple = ((bytes[index] as number) << 16) | ((bytes[index + 1] as number) << 8) | (bytes[index + 2] as number)
    text +=
      ALPHABET.charAt(triple >>> 18) +
      ALPHABET.charAt((triple >>> 12) & 63) +
      ALPHABET.charAt((triple >>> 6) & 63) +
      ALPHABET.charAt(triple & 63)
  }
  const left = bytes.length - index
  if (left === 1) {
    const single = bytes[index] as number
    text += ALPHABET.charAt(single >>> 2) + ALPHABET.charAt((single & 3) << 4)
  } else if (left === 2) {
    const pair = ((bytes[index] as number) << 8) | (bytes[index + 1] as number)
    text += ALPHABET.charAt(pair >>> 10) + ALPHABET.charAt((pair >>> 4) & 63) + ALPHABET.charAt((pair & 15) << 2)
  }
  return text
}

function randomPart(length: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(length)))
}

const encoder = /* @__PURE__ */ new TextEncoder()

/** Where a user's sessions are stored: a hash of the user id, so any id fits in a key of fixed length. */
export function userKeyOf(userId: string): string {
  return base64url(sha256(encoder.encode(`layeron.session.user:${userId}`))).slice(0, USER_KEY_LENGTH)
}

/** A fresh session id and secret for the user whose key is given. */
export function newToken(userKey: string): { token: string; parts: TokenParts } {
  const parts = { userKey, id: randomPart(ID_BYTES), secret: randomPart(SECRET_BYTES) }
  return { token: `${parts.userKey}.${parts.id}.${parts.secret}`, parts }
}

/** The parts of `token`, or null when it is not a string of the shape create() makes. */
export function parseToken(token: unknown): TokenParts | null {
  if (typeof token !== "string" || token.length !== 89) return null
  const match = TOKEN_SHAPE.exec(token)
  if (match === null) return null
  return { userKey: match[1] as string, id: match[2] as string, secret: match[3] as string }
}

// A fresh hasher is copied into one reused instance per call: sha256() builds a new one (its buffer and views) on
// every call, which measured 4.5 against 2.5 µs a hash. Synchronous, so one instance is never shared.
// Marked pure, as the lookup below: a Worker bundle without auth.sessions then leaves this file out.
const PRISTINE = /* @__PURE__ */ sha256.create()
let hasher: ReturnType<typeof sha256.create> | undefined
const digest = /* @__PURE__ */ new Uint8Array(32)

type OneShotHash = (algorithm: string, data: string, encoding: "base64url") => string

/**
 * Node.js's one-shot `crypto.hash` (C++; Node.js 20.12+), reached without an
 * import so that a Worker bundle has none: 0.3-0.5 µs a secret against
 * noble's 1.3-2.2 (measured). Undefined on Workers and older Node.js.
 */
const nodeHash = /* @__PURE__ */ ((): OneShotHash | undefined => {
  const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const hash = (node?.getBuiltinModule?.("crypto") as { hash?: unknown } | undefined)?.hash
  return typeof hash === "function" ? (hash as OneShotHash) : undefined
})()

/** What is stored instead of the secret. */
export function hashSecret(secret: string): string {
  // OpenSSL clears its digest state when the call ends.
  return nodeHash === undefined ? hashSecretPortably(secret) : nodeHash("sha256", secret, "base64url")
}

/** The same hash by noble, as a Worker computes it (tests check that both agree). */
export function hashSecretPortably(secret: string): string {
  // A secret is base64url (parseToken checked it), so its characters are its UTF-8 bytes.
  const bytes = new Uint8Array(secret.length)
  for (let index = 0; index < secret.length; index++) bytes[index] = secret.charCodeAt(index)
  hasher = PRISTINE._cloneInto(hasher)
  hasher.update(bytes)
  hasher.digestInto(digest)
  // Zeroes the hasher's state and buffer, as sha256() does: no part of a secret stays in memory through it.
  hasher.destroy()
  bytes.fill(0)
  return base64url(digest)
}

/**
 * Compares two hashes in time that depends only on their length, so the
 * time a wrong token takes says nothing about how close it came.
 */
export function sameHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let index = 0; index < a.length; index++) difference |= a.charCodeAt(index) ^ b.charCodeAt(index)
  return difference === 0
}
