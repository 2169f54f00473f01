// A Worker in workerd (Miniflare) that exports Durable Object classes made by
// durableKVObject, from the built package, each bound under its own name as
// `layeron build` binds one per strong store, and runs the durable-objects
// driver itself: the tests call it over HTTP (BridgeDriver), so each call
// takes the path it takes in production, a Worker calling the objects over
// Workers RPC, and concurrent calls are concurrent requests.
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import {
  type AtomicKVDriver,
  type DriverListOptions,
  type IncrementRefusal,
  KVError,
  type KVErrorCode,
  type ListPage,
  type StoredEntry,
} from "@layeron/modules"
import { Miniflare } from "miniflare"

const objectDir = dirname(fileURLToPath(import.meta.resolve("@layeron/modules/drivers/durable-objects")))

// Bytes cross as {"$bytes": base64} inside JSON, both ways.
const CODEC = `
function toBase64(bytes) {
  let binary = ""
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(at, at + 0x8000))
  return btoa(binary)
}
function fromBase64(text) {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let at = 0; at < binary.length; at++) bytes[at] = binary.charCodeAt(at)
  return bytes
}
const encode = (value) => JSON.stringify(value, (_, item) => item instanceof Uint8Array ? { $bytes: toBase64(item) } : item)
const decode = (text) => JSON.parse(text, (_, item) => item !== null && typeof item === "object" && typeof item.$bytes === "string" ? fromBase64(item.$bytes) : item)
`

export interface ObjectsOptions {
  /** Binding names: each gets a class of its own. */
  readonly bindings: readonly string[]
  /** Extra classes (source) and their bindings: name to class name, SQLite-backed. */
  readonly extraClasses?: string
  readonly extraObjects?: Readonly<Record<string, string>>
  readonly persist?: string
}

export interface Objects {
  readonly mf: Miniflare
  /** A driver on `binding`, run in the Worker; each call is a request. `instance` tells drivers apart (a second isolate). */
  driver(binding: string, options?: { shards?: number; instance?: string }): BridgeDriver
}

export async function startObjects(options: ObjectsOptions): Promise<Objects> {
  const classes = options.bindings.map((binding) => `export class C_${binding} extends Base {}`).join("\n")
  const script = `import { DurableObject } from "cloudflare:workers"
import { durableKVObject } from "./object.js"
import { durableObjectsDriver } from "./driver.js"
const Base = durableKVObject(DurableObject)
${classes}
${options.extraClasses ?? ""}
${CODEC}
const drivers = new Map()
export default {
  async fetch(request, env) {
    const { binding, shards, instance, method, args } = decode(await request.text())
    const id = JSON.stringify([binding, shards, instance])
    try {
      let driver = drivers.get(id)
      if (driver === undefined) {
        driver = durableObjectsDriver(env[binding], shards === undefined ? {} : { shards })
        drivers.set(id, driver)
      }
      return new Response(encode({ result: await driver[method](...args) }))
    } catch (error) {
      return new Response(encode({ error: { code: error.code, message: error.message } }))
    }
  },
}
`
  const durableObjects: Record<string, { className: string; useSQLite: true }> = {}
  for (const binding of options.bindings) durableObjects[binding] = { className: `C_${binding}`, useSQLite: true }
  for (const [binding, className] of Object.entries(options.extraObjects ?? {})) {
    durableObjects[binding] = { className, useSQLite: true }
  }
  const mf = new Miniflare({
    modules: true,
    script,
    // Beside object.ts, so that its relative imports resolve in the built package.
    scriptPath: join(objectDir, "test-worker.js"),
    modulesRoot: join(objectDir, "..", "..", ".."),
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    compatibilityDate: "2026-04-26",
    durableObjects,
    ...(options.persist === undefined ? {} : { durableObjectsPersist: options.persist }),
  })
  await mf.ready
  return { mf, driver: (binding, driverOptions = {}) => new BridgeDriver(mf, binding, driverOptions) }
}

const encoder = new TextEncoder()

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")
}

function encode(value: unknown): string {
  // `this[key]`, not `item`: a Buffer (the store's pooled encoding of a string)
  // reaches a replacer already turned into { type: "Buffer", data } by its toJSON.
  return JSON.stringify(value, function (this: Record<string, unknown>, key, item) {
    const raw = this[key]
    return raw instanceof Uint8Array ? { $bytes: toBase64(raw) } : item
  })
}

function decode(text: string): unknown {
  return JSON.parse(text, (_, item) =>
    item !== null && typeof item === "object" && typeof item.$bytes === "string"
      ? new Uint8Array(Buffer.from(item.$bytes, "base64"))
      : item,
  )
}

/** The durable-objects driver as it runs in the Worker, called from Node.js one request per call. */
export class BridgeDriver implements AtomicKVDriver {
  readonly name = "durable-objects"
  readonly scopedPerStore = true

  constructor(
    private readonly mf: Miniflare,
    readonly binding: string,
    private readonly options: { shards?: number; instance?: string },
  ) {}

  async run<T>(method: string, ...args: unknown[]): Promise<T> {
    const body = encode({ binding: this.binding, ...this.options, method, args })
    const response = await this.mf.dispatchFetch("http://worker/", { method: "POST", body: encoder.encode(body) })
    const answer = decode(await response.text()) as { result?: T; error?: { code?: KVErrorCode; message: string } }
    if (answer.error !== undefined) {
      if (answer.error.code !== undefined) throw new KVError(answer.error.code, answer.error.message)
      throw new Error(answer.error.message)
    }
    return answer.result as T
  }

  get(key: string) {
    return this.run<StoredEntry | null>("get", key)
  }
  getMany(keys: readonly string[]) {
    return this.run<(StoredEntry | null)[]>("getMany", keys)
  }
  put(key: string, entry: StoredEntry) {
    return this.run<void>("put", key, entry)
  }
  delete(key: string) {
    return this.run<void>("delete", key)
  }
  list(options: DriverListOptions) {
    return this.run<ListPage>("list", options)
  }
  putIf(key: string, entry: StoredEntry, expected: string | null, now: number) {
    return this.run<boolean>("putIf", key, entry, expected, now)
  }
  deleteIf(key: string, expected: string, now: number) {
    return this.run<boolean>("deleteIf", key, expected, now)
  }
  getAndDelete(key: string) {
    return this.run<StoredEntry | null>("getAndDelete", key)
  }
  increment(key: string, delta: number, created: StoredEntry, now: number) {
    return this.run<number | IncrementRefusal>("increment", key, delta, created, now)
  }
  close(): void {}
}
