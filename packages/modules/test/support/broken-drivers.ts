// Memory drivers, each with one bug a driver author could make, run through
// the conformance suite by conformance-suite.test.ts to show that the suite
// catches each of them.
import type { AtomicKVDriver, DriverListOptions, ListPage, StoredEntry } from "@layeron/modules"
import { type MemoryDriver, memoryDriver } from "@layeron/modules/drivers/memory"
import { runKVConformance } from "@layeron/modules/testing"

/** A memory driver (with the atomic operations) with some of its methods replaced. */
function brokenWith(replace: (base: MemoryDriver) => Partial<AtomicKVDriver>): { driver: AtomicKVDriver } {
  const base = memoryDriver()
  const driver: AtomicKVDriver = {
    name: "broken memory",
    get: (key) => base.get(key),
    getMany: (keys) => base.getMany(keys),
    put: (key, entry) => base.put(key, entry),
    delete: (key) => base.delete(key),
    list: (options) => base.list(options),
    close: () => base.close(),
    putIf: (key, entry, expected, now) => base.putIf(key, entry, expected, now),
    deleteIf: (key, expected, now) => base.deleteIf(key, expected, now),
    getAndDelete: (key) => base.getAndDelete(key),
    increment: (key, delta, created, now) => base.increment(key, delta, created, now),
    ...replace(base),
  }
  return { driver }
}

/** A memory driver whose `list` is replaced by `list(all live keys in order, options)`. */
function withList(list: (all: ListPage, options: DriverListOptions) => ListPage): { driver: AtomicKVDriver } {
  return brokenWith((base) => ({
    list: (options) => list(base.list({ ...options, cursor: null, limit: Number.MAX_SAFE_INTEGER }), options),
  }))
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

function page(all: ListPage, options: DriverListOptions, after: (key: string) => boolean): ListPage {
  const rest = all.entries.filter((entry) => options.cursor === null || after(entry.key))
  const entries = rest.slice(0, options.limit)
  const last = entries[entries.length - 1]
  return { entries, cursor: rest.length > options.limit && last ? last.key : null }
}

/** A memory driver whose `getMany` drops a leading UTF-8 BOM, as a text-only bulk read with a default TextDecoder does. */
function dropsBomInGetMany(): { driver: AtomicKVDriver } {
  const withoutBom = (value: Uint8Array) =>
    value[0] === 0xef && value[1] === 0xbb && value[2] === 0xbf ? value.subarray(3) : value
  return brokenWith((base) => ({
    getMany: (keys) => base.getMany(keys).map((entry) => entry && { ...entry, value: withoutBom(entry.value) }),
  }))
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

const broken = {
  // Sorts by UTF-16 code units (JS's `<`), not by UTF-8 bytes.
  "utf-16 order": withList((all, options) => {
    const sorted = { entries: [...all.entries].sort((a, b) => (a.key < b.key ? -1 : 1)), cursor: null }
    return page(sorted, options, (key) => key > (options.cursor as string))
  }),
  // Starts the next page at the cursor's key instead of after it.
  "cursor repeats a key": withList((all, options) =>
    page(all, options, (key) => byteOrder(key, options.cursor as string) >= 0),
  ),
  // Leaves metadata out of the listing.
  "listing drops metadata": withList((all, options) => {
    const result = page(all, options, (key) => byteOrder(key, options.cursor as string) > 0)
    return { ...result, entries: result.entries.map((entry) => ({ ...entry, metadata: null })) }
  }),
  // Reads a value that starts with a BOM back without it, in getMany only.
  "bulk read drops a BOM": dropsBomInGetMany(),
  // Checks, then writes a turn later, as two round trips without a script or transaction would.
  "check then write": brokenWith((base) => ({
    async putIf(key, entry, expected, now) {
      const live = base.get(key)
      const present = live !== null && (live.expiresAt === null || live.expiresAt > now)
      if (expected === null ? present : !present || live?.version !== expected) return false
      await turn()
      base.put(key, entry)
      return true
    },
    async getAndDelete(key) {
      const entry = base.get(key)
      await turn()
      base.delete(key)
      return entry
    },
  })),
  // Compares the version but forgets the expiry: an expired entry still counts as present.
  "expired still present": brokenWith((base) => ({
    putIf: (key, entry, expected) => base.putIf(key, entry, expected, Number.NEGATIVE_INFINITY),
    increment: (key, delta, created) => base.increment(key, delta, created, Number.NEGATIVE_INFINITY),
  })),
  // Increments in place, keeping the old version.
  "increment keeps the version": brokenWith((base) => ({
    increment(key, delta, created, now) {
      const version = base.get(key)?.version
      const count = base.increment(key, delta, created, now)
      const entry = base.get(key) as StoredEntry
      if (version !== undefined) base.put(key, { ...entry, version })
      return count
    },
  })),
}

for (const [name, { driver }] of Object.entries(broken)) {
  // 60 random sequences a model rule: with 20, a bug that needs a particular pair of operations went unseen once in CI.
  runKVConformance({ name, driver: () => driver, cleanup: () => driver.close(), numRuns: 60 })
}
