import type { StoredEntry } from "../../driver.js"
import { KVError } from "../../errors.js"
import { KV_LIMITS } from "../../limits.js"

/**
 * What the cloudflare driver keeps in an entry's Workers KV metadata. KV
 * returns the metadata with the value in one read, and with every key of a
 * list, so the content type and the exact expiry travel there beside the
 * user's metadata: `{ "c": contentType, "e"?: expiresAt in ms, "m"?: user
 * metadata, "b"?: 1 }`. `b` marks a value that KV's bulk read, which returns
 * text only, would not give back intact.
 */
interface Packed {
  c: string
  e?: number
  m?: unknown
  b?: 1
}

export interface Unpacked {
  readonly contentType: string
  readonly expiresAt: number | null
  readonly metadata: string | null
  /** True when the value is known to read back exactly as UTF-8 text. */
  readonly text: boolean
}

const encoder = new TextEncoder()

/**
 * The KV metadata for an entry. KV allows 1024 bytes of metadata in all, and
 * here they hold the content type and expiry too, so the total is checked
 * before the write: what fits locally can still be too large for Workers KV.
 */
export function packMetadata(entry: StoredEntry, text: boolean, where: string): Packed {
  // Built as text so that the user's metadata (already JSON) is embedded as is.
  let json = `{"c":${JSON.stringify(entry.contentType)}`
  if (entry.expiresAt !== null) json += `,"e":${entry.expiresAt}`
  if (entry.metadata !== null) json += `,"m":${entry.metadata}`
  if (!text) json += `,"b":1`
  json += "}"
  const bytes = encoder.encode(json).byteLength
  if (bytes > KV_LIMITS.maxMetadataBytes) {
    throw new KVError(
      "KV_METADATA_TOO_LARGE",
      `${where}: on Workers KV the metadata, content type and expiry share ${KV_LIMITS.maxMetadataBytes} bytes; this entry needs ${bytes}`,
    )
  }
  return JSON.parse(json) as Packed
}

/** Reads what `packMetadata` wrote; an entry written by other tools reads as binary with its metadata as the user's. */
export function unpackMetadata(raw: unknown): Unpacked {
  if (typeof raw === "object" && raw !== null && typeof (raw as Packed).c === "string") {
    const packed = raw as Packed
    return {
      contentType: packed.c,
      expiresAt: typeof packed.e === "number" ? packed.e : null,
      metadata: packed.m === undefined ? null : JSON.stringify(packed.m),
      text: packed.b !== 1,
    }
  }
  return {
    contentType: "application/octet-stream",
    expiresAt: null,
    metadata: raw === null || raw === undefined ? null : JSON.stringify(raw),
    text: false,
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** Whether KV's text read gives these bytes back exactly: valid UTF-8, and no leading BOM for a decoder to drop. */
export function readsBackAsText(bytes: Uint8Array): boolean {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return false
  try {
    strictUtf8.decode(bytes)
    return true
  } catch {
    return false
  }
}
