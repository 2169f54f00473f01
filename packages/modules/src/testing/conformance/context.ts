import type { KVDriver } from "../../kv/driver.js"
import { KVError, type KVErrorCode } from "../../kv/errors.js"
import { type KVStore, type KVStoreOptions, kv } from "../../kv/store.js"
import { showKey } from "../../kv/validate.js"
import { FakeClock } from "../fake-clock.js"
import type { ConformanceRule } from "./rules.js"

type Awaitable<T> = T | Promise<T>

/**
 * The functions of the test runner the suite registers its tests with.
 * node:test's are the default; Vitest's fit as they are, with `afterAll` as
 * `after`. A skipped rule is registered with `skip` set to the reason.
 */
export interface TestFunctions {
  describe(name: string, body: () => void): unknown
  it(name: string, options: { skip?: string | boolean }, body: () => Promise<void>): unknown
  after(body: () => Promise<void>): unknown
}

/** What each group of rules gets: fresh stores on the driver under test, and one clock for all. */
export interface SuiteContext {
  /** A group of rules, through the runner's `describe`. */
  describe(name: string, body: () => void): void
  /** One test, through the runner's `it`; `rule()` calls it. */
  it(name: string, options: { skip: string | false }, body: () => Promise<void>): void
  readonly clock: FakeClock
  /** A driver from the suite's options (a shared one, or a fresh one per call). */
  driver(): Promise<KVDriver>
  /**
   * A store with a name no other test uses (so a shared backend leaks nothing
   * between tests), on a driver from `driver()` unless the options give one.
   */
  store(options?: Partial<KVStoreOptions>): Promise<KVStore>
  /** Another connection to `first`'s backend, closed when the suite ends; undefined if the driver has none. */
  readonly secondConnection: ((first: KVDriver) => Promise<KVDriver>) | undefined
  /** The storage URL another process opens to reach `first`'s backend; undefined if there is none. */
  readonly otherProcessUrl: ((first: KVDriver) => string) | undefined
  readonly numRuns: number
  readonly canTimeTravel: boolean
  /** Why a rule does not run on this driver, or false when it does. */
  skipReason(name: ConformanceRule, needs?: RuleNeeds): string | false
}

export interface RuleNeeds {
  /** The rule moves the clock and expects the backend to follow. */
  readonly movesClock?: boolean
  /** The rule opens a second connection to the backend. */
  readonly secondConnection?: boolean
  /** The rule runs a second process on the backend. */
  readonly otherProcess?: boolean
}

export interface SuiteOptions {
  readonly runner: TestFunctions
  readonly driver: () => Awaitable<KVDriver>
  readonly secondConnection?: (first: KVDriver) => Awaitable<KVDriver>
  readonly otherProcessUrl?: (first: KVDriver) => string
  readonly skips: Readonly<Record<string, string>>
  readonly numRuns: number
  readonly canTimeTravel: boolean
}

let storeCounter = 0
// Tells this run's stores from those of earlier runs on a backend that outlives a run.
const runTag = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 7)}`

export function createSuiteContext(options: SuiteOptions): SuiteContext & { closeSecondConnections(): Promise<void> } {
  const clock = new FakeClock(Date.now())
  const opened: KVDriver[] = []
  const makeSecond = options.secondConnection
  const context = {
    describe(name: string, body: () => void) {
      options.runner.describe(name, body)
    },
    it(name: string, itOptions: { skip: string | false }, body: () => Promise<void>) {
      options.runner.it(name, itOptions, body)
    },
    clock,
    numRuns: options.numRuns,
    canTimeTravel: options.canTimeTravel,
    driver: async () => options.driver(),
    otherProcessUrl: options.otherProcessUrl,
    secondConnection:
      makeSecond &&
      (async (first: KVDriver) => {
        const second = await makeSecond(first)
        opened.push(second)
        return second
      }),
    async store(storeOptions: Partial<KVStoreOptions> = {}) {
      // The clock starts at the real time and only moves forward, and this keeps it from
      // falling behind while the suite runs: a backend's own expiry (on its real clock) then
      // never removes an entry before the store's clock says it has expired.
      if (clock.now() < Date.now()) clock.set(Date.now())
      storeCounter++
      return kv({
        name: `store-${runTag}-${storeCounter}`,
        namespace: "conformance",
        clock,
        ...storeOptions,
        driver: storeOptions.driver ?? (await options.driver()),
      })
    },
    skipReason(name: ConformanceRule, needs: RuleNeeds = {}) {
      const reason = options.skips[name]
      if (reason !== undefined) return reason
      if (needs.movesClock && !options.canTimeTravel) return "the backend cannot follow a moved clock"
      if (needs.secondConnection && makeSecond === undefined) return "the driver gives no second connection"
      if (needs.otherProcess && options.otherProcessUrl === undefined) {
        return "the driver gives no storage URL another process can open"
      }
      return false
    },
    async closeSecondConnections() {
      for (const driver of opened.splice(0)) await driver.close()
    },
  }
  return context
}

/**
 * One rule as one test. Its title ends with the rule's name, the name a
 * driver gives to skip it.
 */
export function rule(
  t: SuiteContext,
  name: ConformanceRule,
  title: string,
  body: () => Promise<void>,
  needs?: RuleNeeds,
): void {
  t.it(`${title} [${name}]`, { skip: t.skipReason(name, needs) }, body)
}

/** Asserts that `action` rejects with a KVError of `code` whose message names each of `mentions`. */
export async function expectKVError(
  action: () => Promise<unknown>,
  code: KVErrorCode,
  mentions: readonly string[] = [],
): Promise<KVError> {
  let caught: unknown
  try {
    await action()
  } catch (error) {
    caught = error
  }
  if (!(caught instanceof KVError)) {
    throw new Error(`expected a KVError ${code}, got ${caught === undefined ? "no error" : String(caught)}`)
  }
  if (caught.code !== code) throw new Error(`expected ${code}, got ${caught.code}: ${caught.message}`)
  for (const text of mentions) {
    if (!caught.message.includes(text)) throw new Error(`expected the message to name ${text}: ${caught.message}`)
  }
  return caught
}

/** What a message about `key` in `store` must name: the store and the key, as messages quote it. */
export function names(store: KVStore, key: string): string[] {
  return [store.name, showKey(key)]
}

export const SECOND = 1000
export const HOUR = 60 * 60 * SECOND
export const DAY = 24 * HOUR
