// runKVConformance on a test runner other than node:test, as a driver author
// on Vitest calls it: every rule is registered through the functions given,
// a skip reaches the runner with its reason, and the registered tests pass
// when this file runs them itself, in order, then the `after` hooks.
import assert from "node:assert/strict"
import { it } from "node:test"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { CONFORMANCE_RULES, runKVConformance, type TestFunctions } from "@layeron/modules/testing"

interface Registered {
  readonly title: string
  readonly skip: string | boolean | undefined
  readonly body: () => Promise<void>
}

/** Test functions that only record what is registered, as another runner would collect it. */
function recordingRunner() {
  const tests: Registered[] = []
  const afterHooks: (() => Promise<void>)[] = []
  const groups: string[] = []
  const runner: TestFunctions = {
    describe(name, body) {
      groups.push(name)
      try {
        body()
      } finally {
        groups.pop()
      }
    },
    it(name, options, body) {
      tests.push({ title: [...groups, name].join(" > "), skip: options.skip, body })
    },
    after(body) {
      afterHooks.push(body)
    },
  }
  return { runner, tests, afterHooks }
}

const ruleOf = (title: string) => /\[([^\]]+)\]$/.exec(title)?.[1]

it("registers every rule through the runner it is given, and the rules pass when that runner runs them", async () => {
  const { runner, tests, afterHooks } = recordingRunner()
  const driver = memoryDriver()
  let cleanedUp = false
  runKVConformance({
    name: "memory, on another runner",
    driver: () => driver,
    cleanup: async () => {
      await driver.close()
      cleanedUp = true
    },
    skip: { "values: copies": "shows that a skip reaches the runner with its reason" },
    numRuns: 10,
    runner,
  })

  assert.deepEqual(tests.map((test) => ruleOf(test.title)).sort(), [...CONFORMANCE_RULES].sort())
  for (const test of tests) assert.match(test.title, /^storage\.kv conformance: memory, on another runner > \w/)
  assert.deepEqual(
    tests.filter((test) => test.skip !== false).map((test) => [ruleOf(test.title), test.skip]),
    [
      ["values: copies", "shows that a skip reaches the runner with its reason"],
      ["sharing: second connection", "the driver gives no second connection"],
      ...["increment", "add", "getAndDelete", "update"].map((race) => [
        `races: ${race}`,
        "the driver gives no storage URL another process can open",
      ]),
    ],
  )

  for (const test of tests) {
    if (test.skip !== false) continue
    await test.body().catch((error: unknown) => {
      throw new Error(`${test.title} failed`, { cause: error })
    })
  }
  assert.equal(cleanedUp, false, "cleanup waits for the runner's after hooks")
  for (const hook of afterHooks) await hook()
  assert.equal(cleanedUp, true)
})
