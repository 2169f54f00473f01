import type { DriverListOptions, KVDriver, ListedEntry, ListPage, StoredEntry } from "../../driver.js"
import { ownedBytes } from "../../encode-value.js"
import { KVError } from "../../errors.js"
import { checkOptionNames, isOptionBag } from "../../options.js"
import { showKey } from "../../validate.js"
import type { WorkersStore } from "../../workers-driver.js"
import { workersBindingOf } from "./binding.js"
import { packMetadata, readsBackAsText, unpackMetadata } from "./metadata.js"

interface WithMetadata<T> {
  readonly value: T | null
  readonly metadata: unknown
}

/**
 * The part of a Workers KV namespace binding this driver uses, written out
 * here so that Layeron needs no @cloudflare/workers-types.
 */
export interface KVNamespace {
  getWithMetadata(key: string, options: { type: "arrayBuffer" }): Promise<WithMetadata<ArrayBuffer>>
  getWithMetadata(keys: string[], options: { type: "text" }): Promise<Map<string, WithMetadata<string> | null>>
  put(
    key: string,
    value: ArrayBuffer | ArrayBufferView,
    options?: { expiration?: number; expirationTtl?: number; metadata?: unknown },
  ): Promise<void>
  delete(key: string): Promise<void>
  list(options?: { prefix?: string | null; limit?: number; cursor?: string | null }): Promise<{
    keys: { name: string; expiration?: number; metadata?: unknown }[]
    list_complete: boolean
    cursor?: string
  }>
}

export interface CloudflareDriverOptions {
  /** Who the driver serves, for messages (the store's name). */
  label?: string
}

/** KV reads at most this many keys in one bulk read. */
const BULK_READ_KEYS = 100
/** KV refuses an expiry less than 60 s ahead of its own clock. */
const KV_MIN_TTL_SECONDS = 60
/** Below this many seconds ahead, clocks that differ by a second could make KV refuse an absolute expiry. */
const ABSOLUTE_EXPIRY_MARGIN_SECONDS = 10

/**
 * One Workers KV namespace per store. The content type and the exact expiry
 * ride in KV's metadata, so a read is one `getWithMetadata` and a listed key
 * carries its expiry. KV's own expiry is in whole seconds and rounded up:
 * KV removes an entry at most a second after its `expiresAt`, and the store
 * hides it from `expiresAt` on.
 */
export class CloudflareKVDriver implements KVDriver {
  readonly name = "cloudflare"
  readonly scopedPerStore = true
  private readonly kv: KVNamespace
  private readonly label: string

  constructor(kv: KVNamespace, options: CloudflareDriverOptions = {}) {
    if (!isKVNamespace(kv)) throw new KVError("KV_CONFIG_INVALID", "cloudflareDriver() takes a Workers KV namespace")
    this.kv = kv
    this.label = options.label ?? "cloudflare KV"
  }

  async get(key: string): Promise<StoredEntry | null> {
    const { value, metadata } = await this.run("get", key, () => this.kv.getWithMetadata(key, { type: "arrayBuffer" }))
    return value === null ? null : entryOf(new Uint8Array(value), metadata)
  }

  async getMany(keys: readonly string[]): Promise<(StoredEntry | null)[]> {
    const chunks: string[][] = []
    for (let start = 0; start < keys.length; start += BULK_READ_KEYS) {
      chunks.push(keys.slice(start, start + BULK_READ_KEYS))
    }
    const pages = await Promise.all(chunks.map((chunk) => this.readChunk(chunk)))
    return pages.flat()
  }

  /** Up to 100 keys in one bulk read; a value that is not plain text is read again on its own. */
  private async readChunk(keys: string[]): Promise<(StoredEntry | null)[]> {
    const found = await this.run(`getMany of ${keys.length} keys`, null, () =>
      this.kv.getWithMetadata(keys, { type: "text" }),
    )
    return Promise.all(
      keys.map((key) => {
        const item = found.get(key) ?? null
        if (item === null) return null
        // Any other shape (KV returns an empty value bare) is read again singly.
        if (typeof item === "object" && typeof item.value === "string") {
          const unpacked = unpackMetadata(item.metadata)
          if (unpacked.text) return entryOf(encoder.encode(item.value), item.metadata)
        }
        return this.get(key)
      }),
    )
  }

  async put(key: string, entry: StoredEntry): Promise<void> {
    const metadata = packMetadata(entry, readsBackAsText(entry.value), `${this.label} key ${showKey(key)}`)
    await this.run("put", key, () =>
      // Bytes of their own: miniflare's bridge refuses a view into a larger buffer (a pooled Buffer).
      this.kv.put(key, ownedBytes(entry.value), { metadata, ...kvExpiry(entry.expiresAt, Date.now()) }),
    )
  }

  async delete(key: string): Promise<void> {
    await this.run("delete", key, () => this.kv.delete(key))
  }

  async list(options: DriverListOptions): Promise<ListPage> {
    const { prefix, limit, cursor, now } = options
    const page = await this.run("list", prefix, () =>
      this.kv.list({ prefix, limit, ...(cursor === null ? {} : { cursor }) }),
    )
    const entries: ListedEntry[] = []
    for (const listed of page.keys) {
      const unpacked = unpackMetadata(listed.metadata)
      const expiresAt = unpacked.expiresAt ?? (listed.expiration ? listed.expiration * 1000 : null)
      if (expiresAt !== null && expiresAt <= now) continue
      entries.push({ key: listed.name, expiresAt, metadata: unpacked.metadata })
    }
    return { entries, cursor: page.list_complete ? null : (page.cursor ?? null) }
  }

  close(): void {
    // A binding belongs to the Worker; there is nothing to release.
  }

  /** One call to the binding; a refusal that says "try later" becomes KV_UNAVAILABLE (the app answers 503). */
  private async run<T>(operation: string, key: string | null, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (!TRY_LATER.test(message)) throw error
      throw new KVError(
        "KV_UNAVAILABLE",
        `${this.label} is unavailable (${operation}${key === null ? "" : ` ${showKey(key)}`}): ${message}`,
        { cause: error },
      )
    }
  }
}

/**
 * How the Workers runtime reports a KV call that KV refused for now: too many
 * writes to one key or over the plan's daily limit (429), or trouble on KV's
 * side (5xx), e.g. "KV PUT failed: 429 Too Many Requests".
 */
const TRY_LATER = /^KV \w+ failed: (429|5\d\d)\b/

const encoder = new TextEncoder()

function entryOf(value: Uint8Array, metadata: unknown): StoredEntry {
  const unpacked = unpackMetadata(metadata)
  return { value, contentType: unpacked.contentType, metadata: unpacked.metadata, expiresAt: unpacked.expiresAt }
}

/**
 * KV's expiry for an entry: the absolute second at or after `expiresAt`.
 * Close to KV's 60 s minimum a relative TTL is safer, since KV measures it
 * on its own clock; the store still hides the entry at `expiresAt`.
 */
export function kvExpiry(
  expiresAt: number | null,
  now: number,
): { expiration: number } | { expirationTtl: number } | Record<string, never> {
  if (expiresAt === null) return {}
  const expiration = Math.ceil(expiresAt / 1000)
  if (expiration - Math.floor(now / 1000) >= KV_MIN_TTL_SECONDS + ABSOLUTE_EXPIRY_MARGIN_SECONDS) return { expiration }
  return { expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil((expiresAt - now) / 1000)) }
}

export function isKVNamespace(value: unknown): value is KVNamespace {
  const candidate = value as Partial<KVNamespace> | null
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.getWithMetadata === "function" &&
    typeof candidate.put === "function" &&
    typeof candidate.list === "function"
  )
}

/** A driver on a Workers KV namespace binding, such as `env.SESSIONS`. */
export function cloudflareDriver(kv: KVNamespace, options?: CloudflareDriverOptions): CloudflareKVDriver {
  if (isOptionBag(options, "cloudflareDriver()", "KV_CONFIG_INVALID")) {
    checkOptionNames(options, ["label"], "cloudflareDriver()", "KV_CONFIG_INVALID")
  }
  return new CloudflareKVDriver(kv, options)
}

/** The driver of a store on Workers: the KV namespace bound under the store's name. */
export function driverFromEnv(env: Readonly<Record<string, unknown>>, store: WorkersStore): CloudflareKVDriver {
  const binding = workersBindingOf(store)
  const namespace = env[binding]
  if (!isKVNamespace(namespace)) {
    throw new KVError(
      "KV_CONFIG_INVALID",
      `${store.name}: no Workers KV namespace is bound to env.${binding}; add { "binding": "${binding}", "id": "<namespace id>" } to "kv_namespaces" in wrangler.jsonc (layeron build --target cloudflare writes it)`,
    )
  }
  return new CloudflareKVDriver(namespace, { label: store.name })
}
