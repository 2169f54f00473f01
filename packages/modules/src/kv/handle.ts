import type { StoredEntry } from "./driver.js"
import { KVError } from "./errors.js"
import { showKey } from "./validate.js"

// ignoreBOM keeps a leading U+FEFF, which a default TextDecoder drops: text() gives back exactly the string put.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true })
const BOM = "\uFEFF"

/** What `get()` returns: the entry's value, readable as often and in as many forms as you like. */
export class KVHandle {
  readonly key: string
  readonly contentType: string
  /**
   * The entry's version on a strong store: an opaque string that changes on
   * every write of the key, for `put`/`delete` with `ifVersion`. Null on an
   * eventual store, which has no conditional writes.
   */
  readonly version: string | null
  private readonly entry: StoredEntry
  private readonly storeName: string
  private decoded: string | undefined
  private parsedMetadata: unknown

  constructor(storeName: string, key: string, entry: StoredEntry, versioned = false) {
    this.storeName = storeName
    this.key = key
    this.entry = entry
    this.contentType = entry.contentType
    this.version = versioned ? (entry.version ?? "") : null
  }

  /** When the entry expires, or null if it never does. */
  get expiresAt(): Date | null {
    return this.entry.expiresAt === null ? null : new Date(this.entry.expiresAt)
  }

  /** The metadata given to `put()`, or null. */
  get metadata(): unknown {
    if (this.entry.metadata === null) return null
    this.parsedMetadata ??= JSON.parse(this.entry.metadata)
    return this.parsedMetadata
  }

  /** The value's size in bytes. */
  get size(): number {
    return this.entry.value.byteLength
  }

  // A plain Uint8Array copy: a driver may hand over a Node.js Buffer, whose slice() is a view.
  private copy(): Uint8Array {
    return new Uint8Array(this.entry.value)
  }

  async text(): Promise<string> {
    // A driver that stores strings as text (sqlite) hands the string back: nothing to decode.
    this.decoded ??= this.entry.text ?? decoder.decode(this.entry.value)
    return this.decoded
  }

  /** The value parsed as JSON; a leading byte order mark is skipped, as `Response.json()` skips it. */
  async json<T = unknown>(): Promise<T> {
    const text = await this.text()
    try {
      return JSON.parse(text.startsWith(BOM) ? text.slice(1) : text) as T
    } catch (error) {
      throw new KVError("KV_NOT_JSON", `${this.storeName}: the value of key ${showKey(this.key)} is not JSON`, {
        cause: error,
      })
    }
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.copy().buffer as ArrayBuffer
  }

  /** A copy of the value's bytes. */
  async bytes(): Promise<Uint8Array> {
    return this.copy()
  }

  stream(): ReadableStream<Uint8Array> {
    const bytes = this.copy()
    return new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.byteLength > 0) controller.enqueue(bytes)
        controller.close()
      },
    })
  }
}
