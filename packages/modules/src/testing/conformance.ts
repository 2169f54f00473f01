import { after, describe, it } from "node:test"
import type { KVDriver } from "../kv/driver.js"
import { atomicRules } from "./conformance/atomic.js"
import { atomicExpiryRules } from "./conformance/atomic-expiry.js"
import { createSuiteContext, type TestFunctions } from "./conformance/context.js"
import { isolationRules } from "./conformance/isolation.js"
import { limitRules } from "./conformance/limits.js"
import { listRules } from "./conformance/list.js"
import { modelRules } from "./conformance/model.js"
import { atomicModelRules } from "./conformance/model-atomic.js"
import { optionRules } from "./conformance/options.js"
import { raceRules } from "./conformance/races.js"
import { readRules } from "./conformance/reads.js"
import { type ConformanceRule, checkSkips } from "./conformance/rules.js"
import { sharingRules } from "./conformance/sharing.js"
import { ttlRules } from "./conformance/ttl.js"
import { valueRules } from "./conformance/values.js"

export type { TestFunctions } from "./conformance/context.js"
export { CONFORMANCE_RULES, type ConformanceRule, STRONG_RULES } from "./conformance/rules.js"

export interface KVConformanceOptions {
  /** The driver's name, in the test titles. */
  name: string
  /**
   * The driver for a new store. Return the same instance every time for a
   * backend that holds many stores (memory, sqlite, redis), or a fresh one
   * each time (a connection per store, or a Workers KV namespace per store).
   * The suite never closes these: `cleanup` does.
   */
  driver: () => KVDriver | Promise<KVDriver>
  /**
   * Another, independent connection to the backend `first` is on, as a
   * second app process would open (a second SQLite connection to the file, a
   * second Redis client). The suite closes it. Without it the rule
   * "sharing: second connection" is skipped.
   */
  secondConnection?: (first: KVDriver) => KVDriver | Promise<KVDriver>
  /**
   * The storage URL (`LAYERON_KV` form: `sqlite:<file>`, `redis://...`) by
   * which another process reaches the backend `first` is on. The "races:"
   * rules run a second Node.js process on it, racing this one; without it
   * they are skipped.
   */
  otherProcessUrl?: (first: KVDriver) => string
  /** Runs after the suite: close the drivers, stop servers, remove files. */
  cleanup?: () => void | Promise<void>
  /** Rules this driver cannot honour, each with the reason (names from CONFORMANCE_RULES). */
  skip?: Partial<Record<ConformanceRule, string>>
  /**
   * False when the backend cannot be tested with a moved clock: the rules that
   * move it are skipped, and the stored expiry instants are still checked
   * ("ttl: expiry instants"). Default true.
   */
  canTimeTravel?: boolean
  /** Runs of the property test against the model (default 50, or FUZZ_RUNS from the environment). */
  numRuns?: number
  /**
   * The test runner's functions: node:test's by default. On Vitest pass
   * `{ describe, it, after: afterAll }`.
   */
  runner?: TestFunctions
}

/**
 * The storage.kv contract, as tests any driver runs: a driver is correct
 * when this suite passes on it. Call it at the top level of a test file.
 */
export function runKVConformance(options: KVConformanceOptions): void {
  const skips: Readonly<Record<string, string>> = options.skip ?? {}
  checkSkips(skips)
  const runner = options.runner ?? { describe, it, after }
  const context = createSuiteContext({
    runner,
    driver: options.driver,
    secondConnection: options.secondConnection,
    otherProcessUrl: options.otherProcessUrl,
    skips,
    numRuns: options.numRuns ?? (Number(process.env.FUZZ_RUNS) || 50),
    canTimeTravel: options.canTimeTravel ?? true,
  })
  runner.describe(`storage.kv conformance: ${options.name}`, () => {
    runner.after(async () => {
      await context.closeSecondConnections()
      await options.cleanup?.()
    })
    valueRules(context)
    ttlRules(context)
    limitRules(context)
    readRules(context)
    listRules(context)
    optionRules(context)
    isolationRules(context)
    sharingRules(context)
    atomicRules(context)
    atomicExpiryRules(context)
    raceRules(context)
    modelRules(context)
    atomicModelRules(context)
  })
}
