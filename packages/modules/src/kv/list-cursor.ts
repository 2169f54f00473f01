/**
 * The cursor `list()` hands out, the same on every driver: the driver's own
 * cursor (the last key listed, or Workers KV's cursor) with a check of the
 * store and the prefix it was issued for. The store refuses any other string
 * (garbage, a truncated or edited cursor, one from another store or another
 * prefix) with KV_CURSOR_INVALID before the driver sees it, so no driver can
 * read a bad cursor as "start over" or as "nothing left".
 *
 * The check has no secret: it tells a damaged cursor from a real one, it does
 * not sign it. A forged cursor still only moves within the prefix it is sent
 * with, since every driver bounds each page by the prefix.
 */

/** What a cursor belongs to. */
export interface CursorScope {
  readonly namespace: string
  readonly name: string
  readonly prefix: string
}

/** The layout's version, the first byte, so the format can change and old cursors be told apart. */
const VERSION = 1
/** Longer than any cursor a driver returns (a 512-byte key with its store's scope is under 5 KB). */
const MAX_CURSOR_LENGTH = 16 * 1024

const encoder = new TextEncoder()
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

export function encodeListCursor(scope: CursorScope, driverCursor: string): string {
  const cursor = encoder.encode(driverCursor)
  const bytes = new Uint8Array(5 + cursor.byteLength)
  bytes[0] = VERSION
  new DataView(bytes.buffer).setUint32(1, checkOf(scope, driverCursor))
  bytes.set(cursor, 5)
  return toBase64Url(bytes)
}

/** The driver's cursor inside `token`, or null when `token` is not a cursor this store issued for this prefix. */
export function decodeListCursor(scope: CursorScope, token: string): string | null {
  if (token.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return null
  const bytes = fromBase64Url(token)
  if (bytes === null || bytes.byteLength < 5 || bytes[0] !== VERSION) return null
  let driverCursor: string
  try {
    driverCursor = strictUtf8.decode(bytes.subarray(5))
  } catch {
    return null
  }
  const check = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1)
  if (check !== checkOf(scope, driverCursor)) return null
  // Base64 can spell the same bytes more than one way; only the spelling handed out is a cursor.
  return encodeListCursor(scope, driverCursor) === token ? driverCursor : null
}

/** 32-bit FNV-1a over the scope and the cursor; the JSON array keeps the parts apart, whatever they contain. */
function checkOf(scope: CursorScope, driverCursor: string): number {
  const text = JSON.stringify([scope.namespace, scope.name, scope.prefix, driverCursor])
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

// btoa and atob exist on Node.js and on Workers, Buffer only on Node.js.
function toBase64Url(bytes: Uint8Array): string {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

function fromBase64Url(text: string): Uint8Array | null {
  let binary: string
  try {
    binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"))
  } catch {
    return null
  }
  const bytes = new Uint8Array(binary.length)
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index)
  return bytes
}
