import assert from "node:assert/strict"
import type { Arbitrary } from "fast-check"
import { isKVError } from "../../kv/errors.js"
import type { KVStore } from "../../kv/store.js"
import { strongStore } from "./atomic.js"
import { rule, type SuiteContext } from "./context.js"
import {
  apply,
  type FastCheck,
  keyArbitrary,
  live,
  loadFastCheck,
  type Model,
  type Operation,
  plainOperations,
} from "./model.js"

// The model of model.ts on a strong store, with the atomic operations mixed
// in among the plain ones. Versions are modelled by what they promise: after
// every write the key's version is one never seen before, and a call that
// writes nothing leaves it as it was.

/** Which version a conditional write names: the key's current one, one seen earlier, or null (only if absent). */
type Which = "current" | "seen" | "absent"

type AtomicOperation =
  | Operation
  | { kind: "add"; key: string; value: string; ttlSeconds: number | null }
  | { kind: "increment"; key: string; delta: number; ttlSeconds: number | null }
  | { kind: "getAndDelete"; key: string }
  | { kind: "putIf"; key: string; value: string; which: Which; pick: number }
  | { kind: "deleteIf"; key: string; which: Which; pick: number }
  | { kind: "update"; key: string; next: string | null | undefined }

interface Versions {
  /** The version of each key's entry, as last read. */
  readonly current: Map<string, string>
  /** Every version any entry has had. */
  readonly seen: string[]
}

function atomicOperations(fc: FastCheck): Arbitrary<AtomicOperation>[] {
  // Mostly a few keys, so that an operation usually meets what earlier ones wrote.
  const key = fc.oneof(fc.constantFrom("a", "b:", "\u{1F600}"), keyArbitrary(fc))
  // Counters as often as other text, so that increment meets both.
  const value = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -50, max: 50 }).map(String))
  const ttlSeconds = fc.option(fc.integer({ min: 60, max: 600 }), { nil: null })
  const which = fc.constantFrom<Which>("current", "seen", "absent")
  const pick = fc.nat()
  return [
    fc.record({ kind: fc.constant("add" as const), key, value, ttlSeconds }),
    fc.record({ kind: fc.constant("increment" as const), key, delta: fc.integer({ min: -5, max: 5 }), ttlSeconds }),
    fc.record({ kind: fc.constant("getAndDelete" as const), key }),
    fc.record({ kind: fc.constant("putIf" as const), key, value, which, pick }),
    fc.record({ kind: fc.constant("deleteIf" as const), key, which, pick }),
    fc.record({
      kind: fc.constant("update" as const),
      key,
      next: fc.oneof(value, fc.constant(null), fc.constant(undefined)),
    }),
  ]
}

/** The model's own reading of a counter, written apart from the store's. */
function asCounter(text: string): number | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return null
  const count = Number(text)
  return Number.isSafeInteger(count) ? count : null
}

function expiry(now: number, ttlSeconds: number | null): number | null {
  return ttlSeconds === null ? null : now + ttlSeconds * 1000
}

/** The version a conditional write names, and whether the model expects it to match. */
function chosenVersion(versions: Versions, key: string, which: Which, pick: number, isLive: boolean): string | null {
  if (which === "absent") return null
  if (which === "current") return (isLive ? versions.current.get(key) : undefined) ?? "no-such-version"
  return versions.seen[pick % Math.max(1, versions.seen.length)] ?? "no-such-version"
}

/** Applies one operation to the store and the model, checking the store's answers; true if it wrote `key`. */
async function applyAtomic(
  store: KVStore,
  model: Model,
  versions: Versions,
  operation: AtomicOperation,
  t: SuiteContext,
): Promise<boolean> {
  const now = t.clock.now()
  switch (operation.kind) {
    case "add": {
      const { key, value, ttlSeconds } = operation
      const expected = live(model, key, now) === null
      assert.equal(await store.add(key, value, ttlSeconds === null ? {} : { ttlSeconds }), expected, `add ${key}`)
      if (expected) model.set(key, { value, expiresAt: expiry(now, ttlSeconds) })
      return expected
    }
    case "increment": {
      const { key, delta, ttlSeconds } = operation
      const current = live(model, key, now)
      const count = current === null ? 0 : asCounter(current)
      const sum = count === null ? null : count + delta
      if (sum === null) {
        await assert.rejects(store.increment(key, delta), (error) => isKVError(error, "KV_NOT_COUNTER"))
        return false
      }
      assert.equal(
        await store.increment(key, delta, ttlSeconds === null ? {} : { ttlSeconds }),
        sum,
        `increment ${key}`,
      )
      const expiresAt = current === null ? expiry(now, ttlSeconds) : (model.get(key)?.expiresAt ?? null)
      model.set(key, { value: String(sum), expiresAt })
      return true
    }
    case "getAndDelete": {
      const handle = await store.getAndDelete(operation.key)
      assert.equal(handle === null ? null : await handle.text(), live(model, operation.key, now), "getAndDelete")
      model.delete(operation.key)
      return false
    }
    case "putIf":
    case "deleteIf": {
      const { key, which, pick } = operation
      const isLive = live(model, key, now) !== null
      const ifVersion = chosenVersion(versions, key, which, pick, isLive)
      const matches = ifVersion === null ? !isLive : isLive && versions.current.get(key) === ifVersion
      const call =
        operation.kind === "putIf" ? store.put(key, operation.value, { ifVersion }) : store.delete(key, { ifVersion })
      if (!matches) {
        await assert.rejects(call, (error) => isKVError(error, "KV_CONFLICT"), `${operation.kind} ${key}`)
        return false
      }
      await call
      if (operation.kind === "putIf") model.set(key, { value: operation.value, expiresAt: null })
      else model.delete(key)
      return operation.kind === "putIf"
    }
    case "update": {
      const { key, next } = operation
      let given: string | null | undefined
      const result = await store.update(key, async (current) => {
        given = current === null ? null : await current.text()
        return next
      })
      const current = live(model, key, now)
      assert.equal(given, current, `update ${key} is given the entry`)
      if (next === undefined) {
        assert.equal(result === null ? null : await result.text(), current)
        return false
      }
      if (next === null) model.delete(key)
      else model.set(key, { value: next, expiresAt: null })
      assert.equal(result === null ? null : await result.text(), next)
      return next !== null
    }
    default:
      await apply(store, model, operation, t)
      return operation.kind === "put"
  }
}

/** Checks the key's version after an operation: new after a write, unchanged otherwise. */
async function checkVersion(store: KVStore, versions: Versions, key: string, wrote: boolean): Promise<void> {
  const handle = await store.get(key)
  if (handle === null) {
    versions.current.delete(key)
    return
  }
  const version = handle.version
  assert.equal(typeof version, "string", "a strong store's handle has a version")
  if (wrote) {
    assert.ok(!versions.seen.includes(version as string), `a write of ${key} gives a version never seen before`)
    versions.seen.push(version as string)
  } else {
    assert.equal(version, versions.current.get(key), `${key} keeps its version when nothing writes it`)
  }
  versions.current.set(key, version as string)
}

function keyOf(operation: AtomicOperation): string | null {
  return "key" in operation ? operation.key : null
}

export function atomicModelRules(t: SuiteContext): void {
  t.describe("against a model, with the atomic operations", () => {
    rule(
      t,
      "model: atomic operations",
      "agrees with a simple map on random sequences of plain and atomic operations on a strong store",
      async () => {
        const fc = await loadFastCheck()
        // Longer sequences than the plain model's: an atomic operation is interesting where others wrote before.
        const operations = fc.array(fc.oneof(...plainOperations(fc, t.canTimeTravel), ...atomicOperations(fc)), {
          minLength: 10,
          maxLength: 40,
        })
        await fc.assert(
          fc.asyncProperty(operations, async (sequence) => {
            const store = await strongStore(t)
            const model: Model = new Map()
            const versions: Versions = { current: new Map(), seen: [] }
            for (const operation of sequence) {
              const wrote = await applyAtomic(store, model, versions, operation, t)
              const key = keyOf(operation)
              if (key !== null) await checkVersion(store, versions, key, wrote)
            }
          }),
          { numRuns: t.numRuns },
        )
      },
    )
  })
}
