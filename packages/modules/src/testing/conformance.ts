import { after, describe } from "node:test"
import type { KVDriver } from "../kv/driver.js"
import { createSuiteContext } from "./conformance/context.js"
import { isolationRules } from "./conformance/isolation.js"
import { limitRules } from "./conformance/limits.js"
import { listRules } from "./conformance/list.js"
import { modelRules } from "./conformance/model.js"
import { readRules } from "./conformance/reads.js"
import { ttlRules } from "./conformance/ttl.js"
import { valueRules } from "./conformance/values.js"

export interface KVConformanceOptions {
  /** The driver's name, in the test titles. */
  name: string
  /**
   * A driver for one store. Return the same instance every time for a backend
   * that holds many stores (memory, sqlite, redis), so that isolation between
   * stores is tested; a driver bound to one store (a Workers KV namespace)
   * returns a fresh one each time.
   */
  driver: () => KVDriver
  /** Runs after the suite: close the driver, stop servers, remove files. */
  cleanup?: () => void | Promise<void>
  /** Rules this driver cannot honour, each with the reason (the rule titles are the keys). */
  skip?: Readonly<Record<string, string>>
  /** Runs of the property test against the model (default 50, or FUZZ_RUNS from the environment). */
  numRuns?: number
}

/**
 * The storage.kv contract, as tests any driver runs: a driver is correct
 * when this suite passes on it. Call it at the top level of a test file.
 */
export function runKVConformance(options: KVConformanceOptions): void {
  const numRuns = options.numRuns ?? (Number(process.env.FUZZ_RUNS) || 50)
  const context = createSuiteContext(options.driver, options.skip ?? {}, numRuns)
  describe(`storage.kv conformance: ${options.name}`, () => {
    after(async () => {
      await options.cleanup?.()
    })
    valueRules(context)
    ttlRules(context)
    limitRules(context)
    readRules(context)
    listRules(context)
    isolationRules(context)
    modelRules(context)
  })
}

/** The rule titles a driver may skip, for reference. */
export const CONFORMANCE_RULES = [
  "values: string",
  "values: empty",
  "values: binary",
  "values: copy",
  "values: stream and blob",
  "values: content type",
  "values: read twice",
  "values: not json",
  "values: metadata",
  "values: overwrite",
  "values: invalid types",
  "ttl: store default",
  "ttl: per put",
  "ttl: expiresAt",
  "ttl: none",
  "ttl: hidden everywhere",
  "ttl: rewrite",
  "ttl: non-portable",
  "limits: key length",
  "limits: dot keys",
  "limits: value size",
  "limits: metadata size",
  "limits: ttl",
  "limits: expiresAt",
  "limits: nothing written",
  "reads: forgiving",
  "reads: missing",
  "reads: delete",
  "reads: getMany",
  "list: prefix",
  "list: paging",
  "list: order",
  "list: fields",
  "list: expired",
  "list: options",
  "isolation: names",
  "isolation: adversarial",
  "model: random operations",
] as const
