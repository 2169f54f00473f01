import { KVError } from "./errors.js"

// A list cursor for drivers that page by key: the last key returned, opaque to
// the caller. Node.js drivers only (it uses Buffer).

export function encodeKeyCursor(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url")
}

export function decodeKeyCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new KVError("KV_CURSOR_INVALID", "list() cursor is not one this store returned")
  }
  return Buffer.from(cursor, "base64url").toString("utf8")
}
