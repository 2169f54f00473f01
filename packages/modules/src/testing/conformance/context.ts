import type { KVDriver } from "../../kv/driver.js"
import { KVError, type KVErrorCode } from "../../kv/errors.js"
import { type KVStore, type KVStoreOptions, kv } from "../../kv/store.js"
import { FakeClock } from "../fake-clock.js"

/** What each group of rules gets: fresh stores on the driver under test, and one clock for all. */
export interface SuiteContext {
  readonly clock: FakeClock
  /** A store with a name no other test uses, on the driver under test. */
  store(options?: Partial<KVStoreOptions>): Promise<KVStore>
  /** The reason a rule is skipped for this driver, or false. */
  skip(rule: string): string | false
  readonly numRuns: number
}

let storeCounter = 0

export function createSuiteContext(
  driver: () => KVDriver,
  skips: Readonly<Record<string, string>>,
  numRuns: number,
): SuiteContext {
  const clock = new FakeClock(Date.now())
  return {
    clock,
    numRuns,
    async store(options = {}) {
      storeCounter++
      return kv({
        name: `store-${process.pid}-${storeCounter}`,
        namespace: "conformance",
        driver: driver(),
        clock,
        ...options,
      })
    },
    skip: (rule) => skips[rule] ?? false,
  }
}

/** Asserts that `action` rejects with a KVError of `code` whose message names `mentions`. */
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

export const SECOND = 1000
export const HOUR = 60 * 60 * SECOND
export const DAY = 24 * HOUR
