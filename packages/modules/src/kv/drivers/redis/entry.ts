import type { StoredEntry } from "../../driver.js"
import { KVError } from "../../errors.js"
import { KV_LIMITS } from "../../limits.js"
import { storedEntry } from "../../stored-entry.js"

/**
 * One entry is one Redis string, so a `get` is one GET and a `put` one
 * atomic SET: a small header (expiry, content type, metadata) then the value.
 *
 *   0      format: 1, or 2 for an entry with a version
 *   1      flags: 1 = has an expiry, 2 = has metadata
 *   2-9    expiry, ms since the epoch, float64 big-endian (0 without one)
 *   10-11  content type length, bytes
 *   12-13  metadata length, bytes
 *   14     (format 2) version length, bytes; the version follows
 *   then   content type (UTF-8), metadata (JSON, UTF-8), value
 *
 * The expiry travels with the entry because the store checks it by its own
 * clock; Redis's own expiry (PXAT) only removes the entry physically. An
 * entry without a version (an eventual store's) is written in format 1, as
 * before versions existed. The atomic scripts (redis/atomic-scripts.ts) read
 * this layout too.
 */
const FORMAT = 1
const FORMAT_VERSIONED = 2
const HAS_EXPIRY = 1
const HAS_METADATA = 2
const FIXED = 14
const MAX_VERSION_BYTES = 255

/** The most bytes a header can take: `list()` reads this much of each entry, never the value. */
export const MAX_HEADER_BYTES =
  FIXED + 1 + MAX_VERSION_BYTES + KV_LIMITS.maxContentTypeBytes + KV_LIMITS.maxMetadataBytes

export function packEntry(entry: StoredEntry): Buffer {
  const contentType = Buffer.from(entry.contentType, "utf8")
  const metadata = entry.metadata === null ? null : Buffer.from(entry.metadata, "utf8")
  const version = entry.version ? Buffer.from(entry.version, "utf8") : null
  if (version !== null && version.byteLength > MAX_VERSION_BYTES) {
    throw new KVError("KV_DRIVER_ERROR", `an entry version is at most ${MAX_VERSION_BYTES} bytes`)
  }
  const metadataLength = metadata?.byteLength ?? 0
  const fixed = version === null ? FIXED : FIXED + 1 + version.byteLength
  const headerLength = fixed + contentType.byteLength + metadataLength
  const packed = Buffer.allocUnsafe(headerLength + entry.value.byteLength)
  packed[0] = version === null ? FORMAT : FORMAT_VERSIONED
  packed[1] = (entry.expiresAt === null ? 0 : HAS_EXPIRY) | (metadata === null ? 0 : HAS_METADATA)
  packed.writeDoubleBE(entry.expiresAt ?? 0, 2)
  packed.writeUInt16BE(contentType.byteLength, 10)
  packed.writeUInt16BE(metadataLength, 12)
  if (version !== null) {
    packed[FIXED] = version.byteLength
    version.copy(packed, FIXED + 1)
  }
  contentType.copy(packed, fixed)
  metadata?.copy(packed, fixed + contentType.byteLength)
  packed.set(entry.value, headerLength)
  return packed
}

interface Header {
  readonly expiresAt: number | null
  readonly contentType: string
  readonly metadata: string | null
  /** Undefined for a format 1 entry. */
  readonly version: string | undefined
  /** Where the value starts. */
  readonly end: number
}

/** Reads a header; `packed` may be only the first MAX_HEADER_BYTES of an entry. */
export function readHeader(packed: Buffer, redisKey: string): Header {
  const format = packed[0]
  const versioned = format === FORMAT_VERSIONED
  if (packed.byteLength < (versioned ? FIXED + 1 : FIXED) || (format !== FORMAT && !versioned)) {
    throw notOurs(redisKey)
  }
  const flags = packed[1] as number
  const fixed = versioned ? FIXED + 1 + (packed[FIXED] as number) : FIXED
  const contentTypeEnd = fixed + packed.readUInt16BE(10)
  const end = contentTypeEnd + packed.readUInt16BE(12)
  if (end > packed.byteLength) throw notOurs(redisKey)
  return {
    expiresAt: flags & HAS_EXPIRY ? packed.readDoubleBE(2) : null,
    contentType: packed.toString("utf8", fixed, contentTypeEnd),
    metadata: flags & HAS_METADATA ? packed.toString("utf8", contentTypeEnd, end) : null,
    version: versioned ? packed.toString("utf8", FIXED + 1, fixed) : undefined,
    end,
  }
}

export function unpackEntry(packed: Buffer, redisKey: string): StoredEntry {
  const header = readHeader(packed, redisKey)
  return storedEntry(
    // A plain Uint8Array view, not a Buffer: Buffer's slice() does not copy.
    new Uint8Array(packed.buffer, packed.byteOffset + header.end, packed.byteLength - header.end),
    header.contentType,
    header.metadata,
    header.expiresAt,
    header.version,
  )
}

function notOurs(redisKey: string): KVError {
  return new KVError(
    "KV_DRIVER_ERROR",
    `Redis key ${JSON.stringify(redisKey)} does not hold a storage.kv entry; something else wrote it`,
  )
}
