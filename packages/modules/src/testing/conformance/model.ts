import assert from "node:assert/strict"
import type { Arbitrary } from "fast-check"
import type { KVStore } from "../../kv/store.js"
import { rule, type SuiteContext } from "./context.js"
import { byteOrder, listAll } from "./list.js"

/** The simplest correct store: a map of key to value and expiry. */
export type Model = Map<string, { value: string; expiresAt: number | null }>

export type FastCheck = typeof import("fast-check").default

export type Operation =
  | { kind: "put"; key: string; value: string; ttlSeconds: number | null }
  | { kind: "get" | "has" | "delete"; key: string }
  | { kind: "advance"; seconds: number }
  | { kind: "list"; prefix: string; limit: number }
  | { kind: "getMany"; keys: string[] }

// A small alphabet makes collisions, shared prefixes and re-puts common; it
// holds characters of 1 to 4 UTF-8 bytes, so that list order is byte order.
const CHARACTERS = ["a", "b", "/", ":", "é", "\uE000", "\u{1F600}"]

/** Keys from a small alphabet, so that operations often meet on one key. */
export function keyArbitrary(fc: FastCheck): Arbitrary<string> {
  return fc.array(fc.constantFrom(...CHARACTERS), { minLength: 1, maxLength: 4 }).map((chars) => chars.join(""))
}

/** The plain operations; moving the clock among them when the backend can follow it. */
export function plainOperations(fc: FastCheck, canTimeTravel: boolean): Arbitrary<Operation>[] {
  const key = keyArbitrary(fc)
  const prefix = fc.array(fc.constantFrom("a", "b", "\u{1F600}"), { maxLength: 2 }).map((chars) => chars.join(""))
  const operations: Arbitrary<Operation>[] = [
    fc.record({
      kind: fc.constant("put" as const),
      key,
      value: fc.string({ maxLength: 8 }),
      ttlSeconds: fc.option(fc.integer({ min: 60, max: 600 }), { nil: null }),
    }),
    fc.record({ kind: fc.constantFrom("get" as const, "has" as const, "delete" as const), key }),
    fc.record({ kind: fc.constant("list" as const), prefix, limit: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ kind: fc.constant("getMany" as const), keys: fc.array(key, { maxLength: 4 }) }),
  ]
  if (canTimeTravel) {
    operations.push(fc.record({ kind: fc.constant("advance" as const), seconds: fc.integer({ min: 1, max: 400 }) }))
  }
  return operations
}

/**
 * fast-check is an optional peer: loaded only when this rule runs, so that
 * `useFakeClock` and the other rules work in a project without it.
 */
export async function loadFastCheck(): Promise<FastCheck> {
  try {
    return (await import("fast-check")).default
  } catch (error) {
    throw new Error("The conformance rules 'model: ...' need fast-check: npm install -D fast-check", {
      cause: error,
    })
  }
}

export function live(model: Model, key: string, now: number): string | null {
  const entry = model.get(key)
  return entry && (entry.expiresAt === null || entry.expiresAt > now) ? entry.value : null
}

export async function apply(store: KVStore, model: Model, operation: Operation, t: SuiteContext): Promise<void> {
  const now = t.clock.now()
  switch (operation.kind) {
    case "put": {
      const { key, value, ttlSeconds } = operation
      await store.put(key, value, ttlSeconds === null ? {} : { ttlSeconds })
      model.set(key, { value, expiresAt: ttlSeconds === null ? null : now + ttlSeconds * 1000 })
      return
    }
    case "get": {
      const handle = await store.get(operation.key)
      assert.equal(
        handle === null ? null : await handle.text(),
        live(model, operation.key, now),
        `get ${operation.key}`,
      )
      if (handle) assert.equal(handle.expiresAt?.getTime() ?? null, model.get(operation.key)?.expiresAt, "expiresAt")
      return
    }
    case "has":
      assert.equal(await store.has(operation.key), live(model, operation.key, now) !== null, `has ${operation.key}`)
      return
    case "delete":
      await store.delete(operation.key)
      model.delete(operation.key)
      return
    case "advance":
      t.clock.advanceSeconds(operation.seconds)
      return
    case "list": {
      const expected = [...model.keys()]
        .filter((key) => key.startsWith(operation.prefix) && live(model, key, now) !== null)
        .sort(byteOrder)
      assert.deepEqual(await listAll(store, { prefix: operation.prefix, limit: operation.limit }), expected, "list")
      return
    }
    case "getMany": {
      const many = await store.getMany(operation.keys)
      for (const key of operation.keys) {
        const handle = many.get(key)
        assert.equal(handle ? await handle.text() : null, live(model, key, now), `getMany ${key}`)
      }
      return
    }
  }
}

export function modelRules(t: SuiteContext): void {
  t.describe("against a model", () => {
    rule(t, "model: random operations", "agrees with a simple map on random sequences of operations", async () => {
      const fc = await loadFastCheck()
      const operationsArbitrary = fc.array(fc.oneof(...plainOperations(fc, t.canTimeTravel)), {
        minLength: 1,
        maxLength: 30,
      })
      await fc.assert(
        fc.asyncProperty(operationsArbitrary, async (operations) => {
          const store = await t.store()
          const model: Model = new Map()
          for (const operation of operations) await apply(store, model, operation, t)
        }),
        { numRuns: t.numRuns },
      )
    })
  })
}
