// The conformance suite itself: it refuses a skip it cannot honour, skips
// time travel with a reason when asked, and fails drivers that have bugs.
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { describe, it } from "node:test"
import { fileURLToPath } from "node:url"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { CONFORMANCE_RULES, type ConformanceRule, runKVConformance } from "@layeron/modules/testing"

describe("runKVConformance options", () => {
  it("refuses a skip that names no rule, or gives no reason", () => {
    const driver = () => memoryDriver()
    const typo = { "list: ordr": "typo" } as Partial<Record<ConformanceRule, string>>
    assert.throws(() => runKVConformance({ name: "x", driver, skip: typo }), /no rule is named "list: ordr"/)
    assert.throws(() => runKVConformance({ name: "x", driver, skip: { "list: order": " " } }), /needs a reason/)
    assert.equal(new Set(CONFORMANCE_RULES).size, CONFORMANCE_RULES.length)
  })
})

// A backend that cannot follow a moved clock still runs every other rule.
const stillClock = memoryDriver()
runKVConformance({
  name: "memory, as a backend that cannot time-travel",
  driver: () => stillClock,
  cleanup: () => stillClock.close(),
  canTimeTravel: false,
  skip: { "isolation: adversarial": "covered by the memory suite; skipped here to show a skip with a reason" },
  numRuns: 10,
})

describe("a driver with a bug fails the rules it breaks", () => {
  it("catches UTF-16 ordering, a cursor that repeats a key, lost metadata, a lost BOM and atomic operations that are not", () => {
    const fixture = fileURLToPath(new URL("../support/broken-drivers.ts", import.meta.url))
    const run = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", fixture], {
      encoding: "utf8",
      // Without this the child would report to this runner instead of printing its own results.
      env: { ...process.env, NODE_TEST_CONTEXT: undefined },
    })
    assert.notEqual(run.status, 0, "the suite fails on broken drivers")
    const failed = new Map<string, Set<string>>()
    let suite = ""
    for (const line of run.stdout.split("\n")) {
      const start = /^[✔✖▶] storage\.kv conformance: (.+?)( \(|$)/.exec(line)
      if (start?.[1]) suite = start[1]
      const rule = /^\s+✖ .* \[(.+)\] \(/.exec(line)
      if (rule?.[1]) failed.set(suite, (failed.get(suite) ?? new Set()).add(rule[1]))
    }
    const expected: Record<string, string[]> = {
      "utf-16 order": ["list: order"],
      "cursor repeats a key": ["list: paging", "list: full page"],
      "listing drops metadata": ["list: fields", "values: metadata"],
      "bulk read drops a BOM": ["values: text round trip"],
      "check then write": ["atomic: concurrent calls", "atomic: update"],
      "expired still present": ["atomic: expired is absent", "atomic: increment expiry"],
      "increment keeps the version": ["atomic: versions", "model: atomic operations"],
    }
    for (const [name, rules] of Object.entries(expected)) {
      for (const rule of rules)
        assert.ok(failed.get(name)?.has(rule), `${name} fails "${rule}": ${run.stdout.slice(-2000)}`)
      // Each bug fails few rules (both models run every operation): the others keep passing, so a failure points at the bug. The model rule is
      // left out of the count: its random operations catch any bug when they happen to reach it (a cursor
      // bug in about one run in three), which made this count flaky.
      const named = [...(failed.get(name) ?? [])].filter((rule) => rule !== "model: random operations")
      assert.ok(named.length <= 8, `${name} fails only rules about it: ${named}`)
    }
  })
})
