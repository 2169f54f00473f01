// What the memory driver promises beyond the shared contract: its sweep never
// holds the event loop for long, however many entries it holds.
import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { kv } from "@layeron/modules"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { FakeClock } from "@layeron/modules/testing"
import { countEventLoopTurns } from "../../support/event-loop-turns.ts"

describe("the memory driver", () => {
  it("sweeps in slices, letting timers and reads run between them, and keeps live entries", async () => {
    const clock = new FakeClock()
    const driver = memoryDriver({ clock })
    try {
      const store = kv({ name: "sweep", driver, clock })
      const value = new Uint8Array(10)
      for (let index = 0; index < 100_000; index++) {
        driver.put(`sweep-ns/sweep/dead:${index}`, { value, contentType: "a", metadata: null, expiresAt: clock.now() })
      }
      await store.put("live", "v", { ttlSeconds: 3600 })
      clock.advanceSeconds(1)
      const stopCounting = countEventLoopTurns()
      const sweeping = driver.sweep()
      assert.equal(driver.sweep(), sweeping, "one sweep at a time: a second call joins it")
      assert.equal(await (await store.get("live"))?.text(), "v", "reads are served mid-sweep")
      const removed = await sweeping
      const turns = stopCounting()
      assert.equal(removed, 100_000)
      // 100,001 entries in slices of 1,000: a yield after each of 100 slices, 99 of them between slices.
      assert.ok(turns >= 99, `the event loop turned between slices (${turns} times)`)
      assert.equal(driver.size, 1)
      assert.equal(await driver.sweep(), 0, "nothing left to sweep")
    } finally {
      driver.close()
    }
  })
})
