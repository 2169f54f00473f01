import type {
  AtomicKVDriver,
  DriverListOptions,
  IncrementRefusal,
  ListedEntry,
  ListPage,
  StoredEntry,
} from "../../driver.js"
import { KVError } from "../../errors.js"
import { compareKeys } from "../../key-order.js"
import { checkOptionNames, describeValue, isOptionBag } from "../../options.js"
import { withValue } from "../../stored-entry.js"
import { showKey } from "../../validate.js"
import { NOT_READ, type WireEntry } from "./object.js"
import { DEFAULT_SHARDS, MAX_SHARDS, shardName, shardOf } from "./shards.js"

type Awaitable<T> = T | Promise<T>

/** The methods of the store's object (object.ts), as a stub calls them over Workers RPC. */
export interface KVObjectStub {
  kvGet(key: string): Awaitable<WireEntry | null>
  kvGetMany(keys: readonly string[]): Awaitable<(WireEntry | null | typeof NOT_READ)[]>
  kvPut(key: string, entry: WireEntry): Awaitable<void>
  kvDelete(key: string): Awaitable<void>
  kvPutIf(key: string, entry: WireEntry, expected: string | null, now: number): Awaitable<boolean>
  kvDeleteIf(key: string, expected: string, now: number): Awaitable<boolean>
  kvGetAndDelete(key: string): Awaitable<WireEntry | null>
  kvIncrement(key: string, delta: number, created: WireEntry, now: number): Awaitable<number | IncrementRefusal>
  kvList(prefix: string, limit: number, cursor: string | null, now: number): Awaitable<ListedEntry[]>
  kvShards(shards: number): Awaitable<number>
  kvSetShards(shards: number): Awaitable<void>
  kvHasEntries(now: number): Awaitable<boolean>
}

/**
 * The part of a Durable Object namespace binding this driver uses, written
 * out here so that Layeron needs no @cloudflare/workers-types.
 */
export interface DurableObjectNamespace {
  idFromName(name: string): unknown
  get(id: never): unknown
}

export interface DurableObjectsDriverOptions {
  /** How many object instances the keys are spread over (default 8); fixed once the store holds data. */
  shards?: number
  /** Who the driver serves, for messages (the store's name). */
  label?: string
}

/**
 * A strong store on Cloudflare Workers: its keys hashed over `shards`
 * instances of the store's SQLite-backed Durable Object class (object.ts).
 * One object serves a key, so a write is seen by every later read from any
 * location, and each atomic operation is one call to that object.
 */
export class DurableObjectsDriver implements AtomicKVDriver {
  readonly name = "durable-objects"
  readonly scopedPerStore = true
  readonly shards: number
  private readonly namespace: DurableObjectNamespace
  private readonly label: string
  private readonly ids: unknown[] = []
  private checking: Promise<void> | undefined

  constructor(namespace: DurableObjectNamespace, options: DurableObjectsDriverOptions = {}) {
    if (!isDurableObjectNamespace(namespace)) {
      throw new KVError("KV_CONFIG_INVALID", "durableObjectsDriver() takes a Durable Object namespace binding")
    }
    this.namespace = namespace
    this.label = options.label ?? "durable objects KV"
    this.shards = checkShards(options.shards, this.label)
  }

  async get(key: string): Promise<StoredEntry | null> {
    return fromWire(await this.call("get", key, (stub) => stub.kvGet(key)))
  }

  /** One call per shard that holds some of the keys, all at once. */
  async getMany(keys: readonly string[]): Promise<(StoredEntry | null)[]> {
    const byShard = new Map<number, number[]>()
    keys.forEach((key, index) => {
      const shard = shardOf(key, this.shards)
      const indices = byShard.get(shard)
      if (indices === undefined) byShard.set(shard, [index])
      else indices.push(index)
    })
    const found: (StoredEntry | null)[] = keys.map(() => null)
    await Promise.all(
      [...byShard].map(async ([shard, indices]) => {
        let left = indices
        // An object answers about 8 MiB of values at a time; the keys it left are asked again.
        while (left.length > 0) {
          const asked = left
          const entries = await this.callShard(shard, `getMany of ${asked.length} keys`, null, (stub) =>
            stub.kvGetMany(asked.map((index) => keys[index] as string)),
          )
          left = []
          asked.forEach((index, position) => {
            const entry = entries[position]
            if (entry === NOT_READ || entry === undefined) left.push(index)
            else found[index] = fromWire(entry)
          })
          if (left.length === asked.length) throw new KVError("KV_DRIVER_ERROR", `${this.label}: getMany read nothing`)
        }
      }),
    )
    return found
  }

  async put(key: string, entry: StoredEntry): Promise<void> {
    await this.call("put", key, (stub) => stub.kvPut(key, toWire(entry)))
  }

  async delete(key: string): Promise<void> {
    await this.call("delete", key, (stub) => stub.kvDelete(key))
  }

  putIf(key: string, entry: StoredEntry, expected: string | null, now: number): Promise<boolean> {
    return this.call("putIf", key, (stub) => stub.kvPutIf(key, toWire(entry), expected, now))
  }

  deleteIf(key: string, expected: string, now: number): Promise<boolean> {
    return this.call("deleteIf", key, (stub) => stub.kvDeleteIf(key, expected, now))
  }

  async getAndDelete(key: string): Promise<StoredEntry | null> {
    return fromWire(await this.call("getAndDelete", key, (stub) => stub.kvGetAndDelete(key)))
  }

  increment(key: string, delta: number, created: StoredEntry, now: number): Promise<number | IncrementRefusal> {
    return this.call("increment", key, (stub) => stub.kvIncrement(key, delta, toWire(created), now))
  }

  /** Each shard's first keys after the cursor, merged in key order: a page asks every shard. */
  async list(options: DriverListOptions): Promise<ListPage> {
    const { prefix, limit, cursor, now } = options
    await this.ready()
    const pages = await Promise.all(
      Array.from({ length: this.shards }, (_, shard) =>
        this.callShard(shard, "list", prefix, (stub) => stub.kvList(prefix, limit + 1, cursor, now)),
      ),
    )
    const merged = pages.flat().sort((a, b) => compareKeys(a.key, b.key))
    const entries = merged.slice(0, limit)
    const last = entries[entries.length - 1]
    return { entries, cursor: merged.length > limit && last !== undefined ? last.key : null }
  }

  close(): void {
    // The binding belongs to the Worker; there is nothing to release.
  }

  /** A call to the shard that holds `key`, once the shard count is known to match the store's. */
  private async call<T>(operation: string, key: string, run: (stub: KVObjectStub) => Awaitable<T>): Promise<T> {
    await this.ready()
    return this.callShard(shardOf(key, this.shards), operation, key, run)
  }

  /**
   * One call to a shard's object. A fresh stub each time: a stub that broke
   * (the object restarted or was overloaded) cannot be used again. Any
   * failure, the object throwing or the runtime refusing, is KV_UNAVAILABLE.
   */
  private async callShard<T>(
    shard: number,
    operation: string,
    key: string | null,
    run: (stub: KVObjectStub) => Awaitable<T>,
  ): Promise<T> {
    this.ids[shard] ??= this.namespace.idFromName(shardName(shard))
    try {
      return await run(this.namespace.get(this.ids[shard] as never) as KVObjectStub)
    } catch (error) {
      if (error instanceof KVError) throw error
      const message = error instanceof Error ? error.message : String(error)
      const overloaded = (error as { overloaded?: unknown } | null)?.overloaded === true ? " (overloaded)" : ""
      throw new KVError(
        "KV_UNAVAILABLE",
        `${this.label} is unavailable${overloaded} (${operation}${key === null ? "" : ` ${showKey(key)}`} on ${shardName(shard)}): ${message}`,
        { cause: error },
      )
    }
  }

  /** Checks once that the store's data was written with this shard count; retried after a failure. */
  private ready(): Promise<void> {
    this.checking ??= this.checkShards().catch((error: unknown) => {
      this.checking = undefined
      throw error
    })
    return this.checking
  }

  /**
   * Shard 0 records the count a store was first used with. Another count is
   * taken only if no shard holds a live entry: with data, keys would be
   * looked for in objects that do not hold them.
   */
  private async checkShards(): Promise<void> {
    const recorded = await this.callShard(0, "open", null, (stub) => stub.kvShards(this.shards))
    if (recorded === this.shards) return
    const now = Date.now()
    const held = await Promise.all(
      Array.from({ length: recorded }, (_, shard) =>
        this.callShard(shard, "open", null, (stub) => stub.kvHasEntries(now)),
      ),
    )
    if (held.some(Boolean)) {
      throw new KVError(
        "KV_CONFIG_INVALID",
        `${this.label}: shards: ${this.shards}, but the store holds data written with shards: ${recorded}, and its keys would be looked for in the wrong objects; keep shards: ${recorded}, or copy the entries into a new store`,
      )
    }
    await this.callShard(0, "open", null, (stub) => stub.kvSetShards(this.shards))
  }
}

function toWire(entry: StoredEntry): WireEntry {
  const { value } = entry
  const buffer =
    value.byteOffset === 0 && value.byteLength === value.buffer.byteLength
      ? value.buffer
      : value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)
  const { contentType, metadata, expiresAt, version } = entry
  return version === undefined
    ? { value: buffer as ArrayBuffer, contentType, metadata, expiresAt }
    : { value: buffer as ArrayBuffer, contentType, metadata, expiresAt, version }
}

function fromWire(entry: WireEntry | null): StoredEntry | null {
  return entry === null ? null : withValue(entry, new Uint8Array(entry.value))
}

function checkShards(value: unknown, label: string): number {
  if (value === undefined) return DEFAULT_SHARDS
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_SHARDS) return value
  throw new KVError(
    "KV_CONFIG_INVALID",
    `${label}: shards must be a whole number from 1 to ${MAX_SHARDS}, got ${describeValue(value)}`,
  )
}

export function isDurableObjectNamespace(value: unknown): value is DurableObjectNamespace {
  const candidate = value as Partial<DurableObjectNamespace> | null
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.idFromName === "function" &&
    typeof candidate.get === "function"
  )
}

/**
 * A strong store's driver on a Durable Object namespace binding, such as
 * `env.RATE`, whose class the Worker exports (`durableKVObject`).
 *
 * @example
 * const rate = storage.kv({ name: "rate", consistency: "strong", driver: durableObjectsDriver(env.RATE, { shards: 4 }) })
 */
export function durableObjectsDriver(
  namespace: DurableObjectNamespace,
  options?: DurableObjectsDriverOptions,
): DurableObjectsDriver {
  if (isOptionBag(options, "durableObjectsDriver()", "KV_CONFIG_INVALID")) {
    checkOptionNames(options, ["shards", "label"], "durableObjectsDriver()", "KV_CONFIG_INVALID")
  }
  return new DurableObjectsDriver(namespace, options)
}
