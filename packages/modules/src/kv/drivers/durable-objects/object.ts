import { incremented } from "../../counter.js"
import type { IncrementRefusal, ListedEntry, StoredEntry } from "../../driver.js"
import { prefixUpperBound } from "../../key-order.js"
import { withValue } from "../../stored-entry.js"
import { CHUNK_BYTES, ENTRY_COLUMNS, SCHEMA } from "./sql.js"

// The Durable Object class of a strong store: one instance per shard, each
// with its own SQLite database. Every method runs its SQL synchronously, with
// no await between a read and the write that depends on it, and an object
// runs one call at a time: so each operation is atomic, as the sqlite
// driver's transactions are. The class is made from the runtime's
// `DurableObject` (passed in by the Worker bundle), so this file needs no
// `cloudflare:workers` import and loads on Node.js too.

/** The part of a Durable Object's `ctx` this class uses, written out so Layeron needs no @cloudflare/workers-types. */
export interface ObjectState {
  readonly storage: {
    readonly sql: { exec(query: string, ...bindings: unknown[]): { raw(): IterableIterator<unknown[]> } }
    transactionSync<T>(run: () => T): T
    getAlarm(): Promise<number | null>
    setAlarm(scheduledTime: number): Promise<void>
  }
  blockConcurrencyWhile<T>(run: () => Promise<T>): Promise<T>
}

/**
 * An entry as it crosses Workers RPC: the value as an ArrayBuffer, which
 * Miniflare's Node.js proxy (the tests) also carries at 25 MiB, where it
 * fails on a Uint8Array that large.
 */
export type WireEntry = Omit<StoredEntry, "value"> & { readonly value: ArrayBuffer }

/** What `kvGetMany` answers for a key it left for a call of its own, so one answer stays small. */
export const NOT_READ = 0
/** About what one `kvGetMany` answer carries in values; Workers RPC refuses a message over 32 MiB. */
const GET_MANY_BYTES = 8 * 1024 * 1024
/** A shard sweeps at most this often; entries expire on read meanwhile. */
const SWEEP_GAP_MS = 60_000
/** Rows one statement of a sweep removes, and statements per alarm: a few milliseconds of the object's time. */
const SWEEP_BATCH = 200
const SWEEP_BATCHES = 10

type Row = [
  value: ArrayBuffer,
  chunks: number,
  contentType: string,
  metadata: string | null,
  expiresAt: number | null,
  version: string | null,
]

// biome-ignore lint/suspicious/noExplicitAny: a mixin's base takes any arguments (TypeScript requires any[] here).
type ObjectBase = new (...args: any[]) => object

/**
 * The Durable Object class of a strong store, made from the runtime's
 * `DurableObject`: the Worker bundle `layeron build` writes exports one per
 * strong store, e.g. `export class LayeronKV_AUTH_SESSIONS extends durableKVObject(DurableObject) {}`.
 */
export function durableKVObject<Base extends ObjectBase>(DurableObject: Base) {
  return class LayeronKVObject extends DurableObject {
    readonly #state: ObjectState
    #alarmAt: number | null = null
    #lastSweep = 0

    // biome-ignore lint/suspicious/noExplicitAny: see ObjectBase.
    constructor(...args: any[]) {
      super(...args)
      const state = args[0] as ObjectState
      this.#state = state
      state.storage.sql.exec(SCHEMA)
      void state.blockConcurrencyWhile(async () => {
        this.#alarmAt = await state.storage.getAlarm()
      })
    }

    #exec(query: string, ...bindings: unknown[]): unknown[][] {
      return [...this.#state.storage.sql.exec(query, ...bindings).raw()]
    }

    #row(key: string): Row | undefined {
      return this.#exec(`SELECT ${ENTRY_COLUMNS} FROM layeron_kv WHERE key = ?`, key)[0] as Row | undefined
    }

    #entry(key: string, row: Row): WireEntry {
      let value = row[0]
      if (row[1] > 0) {
        const parts = this.#exec("SELECT data FROM layeron_kv_chunks WHERE key = ? ORDER BY seq", key)
        value = joinChunks(parts.map((part) => new Uint8Array(part[0] as ArrayBuffer)))
      }
      const [, , contentType, metadata, expiresAt, version] = row
      return version === null
        ? { value, contentType, metadata, expiresAt }
        : { value, contentType, metadata, expiresAt, version }
    }

    #live(key: string, now: number): StoredEntry | null {
      const row = this.#row(key)
      if (row === undefined || (row[4] !== null && row[4] <= now)) return null
      const entry = this.#entry(key, row)
      return withValue(entry, new Uint8Array(entry.value))
    }

    #write(key: string, entry: StoredEntry | WireEntry): void {
      const value = entry.value instanceof ArrayBuffer ? new Uint8Array(entry.value) : entry.value
      const chunked = value.byteLength > CHUNK_BYTES
      this.#state.storage.transactionSync(() => {
        this.#exec("DELETE FROM layeron_kv_chunks WHERE key = ?", key)
        this.#exec(
          `INSERT OR REPLACE INTO layeron_kv (key, ${ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          key,
          chunked ? new ArrayBuffer(0) : bufferOf(value, 0, value.byteLength),
          chunked ? Math.ceil(value.byteLength / CHUNK_BYTES) : 0,
          entry.contentType,
          entry.metadata,
          entry.expiresAt,
          entry.version ?? null,
        )
        if (!chunked) return
        for (let seq = 0; seq * CHUNK_BYTES < value.byteLength; seq++) {
          const start = seq * CHUNK_BYTES
          const end = Math.min(value.byteLength, start + CHUNK_BYTES)
          this.#exec(
            "INSERT INTO layeron_kv_chunks (key, seq, data) VALUES (?, ?, ?)",
            key,
            seq,
            bufferOf(value, start, end),
          )
        }
      })
      if (entry.expiresAt !== null) this.#scheduleSweep(entry.expiresAt)
    }

    #remove(key: string): void {
      this.#state.storage.transactionSync(() => {
        this.#exec("DELETE FROM layeron_kv_chunks WHERE key = ?", key)
        this.#exec("DELETE FROM layeron_kv WHERE key = ?", key)
      })
    }

    kvGet(key: string): WireEntry | null {
      const row = this.#row(key)
      return row === undefined ? null : this.#entry(key, row)
    }

    /** Entries in the order of `keys`; past about 8 MiB of values, the rest are NOT_READ, for the driver to ask again. */
    kvGetMany(keys: readonly string[]): (WireEntry | null | typeof NOT_READ)[] {
      let bytes = 0
      return keys.map((key) => {
        if (bytes > GET_MANY_BYTES) return NOT_READ
        const entry = this.kvGet(key)
        bytes += entry?.value.byteLength ?? 0
        return entry
      })
    }

    kvPut(key: string, entry: WireEntry): void {
      this.#write(key, entry)
    }

    kvDelete(key: string): void {
      this.#remove(key)
    }

    kvPutIf(key: string, entry: WireEntry, expected: string | null, now: number): boolean {
      const current = this.#row(key)
      const live = current !== undefined && (current[4] === null || current[4] > now)
      const matches = expected === null ? !live : live && (current[5] ?? "") === expected
      if (matches) this.#write(key, entry)
      return matches
    }

    kvDeleteIf(key: string, expected: string, now: number): boolean {
      const current = this.#row(key)
      const matches =
        current !== undefined && (current[4] === null || current[4] > now) && (current[5] ?? "") === expected
      if (matches) this.#remove(key)
      return matches
    }

    kvGetAndDelete(key: string): WireEntry | null {
      const row = this.#row(key)
      if (row === undefined) return null
      const entry = this.#entry(key, row)
      this.#remove(key)
      return entry
    }

    kvIncrement(key: string, delta: number, created: WireEntry, now: number): number | IncrementRefusal {
      const next = incremented(this.#live(key, now), delta, withValue(created, new Uint8Array(created.value)))
      if (typeof next === "string") return next
      this.#write(key, next.entry)
      return next.count
    }

    /** Up to `limit` live keys after `cursor` that start with `prefix`, in UTF-8 byte order (SQLite compares text as bytes). */
    kvList(prefix: string, limit: number, cursor: string | null, now: number): ListedEntry[] {
      const upper = prefixUpperBound(prefix)
      const rows = this.#exec(
        `SELECT key, expires_at, metadata FROM layeron_kv
         WHERE key >= ? AND key > ? ${upper === null ? "" : "AND key < ?"} AND (expires_at IS NULL OR expires_at > ?)
         ORDER BY key LIMIT ?`,
        ...(upper === null ? [prefix, cursor ?? "", now, limit] : [prefix, cursor ?? "", upper, now, limit]),
      ) as [string, number | null, string | null][]
      return rows.map(([key, expiresAt, metadata]) => ({ key, expiresAt, metadata }))
    }

    /** The shard count this store was first used with, recorded now if none was. */
    kvShards(shards: number): number {
      const recorded = this.#exec("SELECT value FROM layeron_kv_meta WHERE name = 'shards'")[0]
      if (recorded !== undefined) return Number(recorded[0])
      this.kvSetShards(shards)
      return shards
    }

    kvSetShards(shards: number): void {
      this.#exec("INSERT OR REPLACE INTO layeron_kv_meta (name, value) VALUES ('shards', ?)", String(shards))
    }

    /** Whether this shard holds any entry live at `now`. */
    kvHasEntries(now: number): boolean {
      return this.#exec("SELECT 1 FROM layeron_kv WHERE expires_at IS NULL OR expires_at > ? LIMIT 1", now).length > 0
    }

    /** Removes expired entries; what an alarm runs. Returns how many it removed. */
    kvSweep(now: number): number {
      let removed = 0
      for (let batch = 0; batch < SWEEP_BATCHES; batch++) {
        const keys = this.#exec(
          "SELECT key FROM layeron_kv WHERE expires_at <= ? ORDER BY expires_at LIMIT ?",
          now,
          SWEEP_BATCH,
        )
        for (const [key] of keys) this.#remove(key as string)
        removed += keys.length
        if (keys.length < SWEEP_BATCH) break
      }
      return removed
    }

    async alarm(): Promise<void> {
      const now = Date.now()
      this.#alarmAt = null
      this.#lastSweep = now
      // A sweep cut short goes on at once (requests get in between); else at the next expiry.
      if (this.kvSweep(now) === SWEEP_BATCH * SWEEP_BATCHES) return this.#setAlarm(now)
      const next = this.#exec("SELECT min(expires_at) FROM layeron_kv WHERE expires_at IS NOT NULL")[0]?.[0]
      if (typeof next === "number") await this.#setAlarm(Math.max(next, now + SWEEP_GAP_MS))
    }

    /** An alarm at the entry's expiry, but never within a minute of the last sweep; one is kept, the earliest. */
    #scheduleSweep(expiresAt: number): void {
      const at = Math.max(expiresAt, this.#lastSweep + SWEEP_GAP_MS)
      if (this.#alarmAt !== null && this.#alarmAt <= at) return
      // Not awaited: the write is done. A failure leaves no alarm known, so the next write with an expiry sets one.
      this.#setAlarm(at).catch(() => {
        this.#alarmAt = null
      })
    }

    async #setAlarm(at: number): Promise<void> {
      this.#alarmAt = at
      await this.#state.storage.setAlarm(at)
    }
  }
}

function bufferOf(value: Uint8Array, start: number, end: number): ArrayBuffer {
  return value.buffer.slice(value.byteOffset + start, value.byteOffset + end) as ArrayBuffer
}

function joinChunks(parts: readonly Uint8Array[]): ArrayBuffer {
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0))
  let offset = 0
  for (const part of parts) {
    joined.set(part, offset)
    offset += part.byteLength
  }
  return joined.buffer
}
