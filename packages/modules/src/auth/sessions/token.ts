// Session tokens: `<user key>.<session id>.<secret>`, each part base64url.
// The user key and the id say where the session is stored and are not
// secret; only the secret authenticates, and only its SHA-256 is stored.

import { sha256 } from "./sha256.js"

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

export function base64url(bytes: Uint8Array): string {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")
}

function randomPart(length: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(length)))
}

const encoder = new TextEncoder()

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

/** What is stored instead of the secret. */
export function hashSecret(secret: string): string {
  return base64url(sha256(encoder.encode(secret)))
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
