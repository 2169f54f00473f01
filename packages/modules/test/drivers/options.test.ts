// The driver factories are as strict about their options as the store: a
// misspelt option is a start-up error naming it, never silently ignored.
import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { isKVError } from "@layeron/modules"
import { cloudflareDriver, type KVNamespace } from "@layeron/modules/drivers/cloudflare"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { redisDriver } from "@layeron/modules/drivers/redis"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"

/** Asserts a KV_CONFIG_INVALID whose message names each of `mentions`. */
function refused(mentions: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isKVError(error, "KV_CONFIG_INVALID"), String(error))
    for (const text of mentions) assert.ok(error.message.includes(text), `${text} in: ${error.message}`)
    return true
  }
}

const namespace = { getWithMetadata() {}, put() {}, list() {}, delete() {} } as unknown as KVNamespace

describe("driver factories refuse options they do not know", () => {
  it("memoryDriver, sqliteDriver and cloudflareDriver name the option, the accepted ones and the likely one", () => {
    const memory = () => memoryDriver({ sweepInterval: 1000 } as never)
    assert.throws(memory, refused(['memoryDriver() has no option "sweepInterval"', "did you mean sweepIntervalMs?"]))
    const sqlite = () => sqliteDriver({ path: ":memory:", busyTimeout: 100 } as never)
    assert.throws(sqlite, refused(['"busyTimeout"', "did you mean busyTimeoutMs?", "path, sweepIntervalMs"]))
    assert.throws(() => sqliteDriver({ file: "x.db" } as never), refused(['"file"', "its options are path"]))
    assert.throws(
      () => sqliteDriver("x.db" as never),
      refused(['sqliteDriver() options must be an object, got a string ("x.db")']),
    )
    assert.throws(() => cloudflareDriver(namespace, { name: "x" } as never), refused(['"name"', "label"]))
  })

  it("redisDriver refuses before it connects", async () => {
    // Nothing listens on port 1: a refusal that came after connecting would be KV_UNAVAILABLE instead.
    const call = () => redisDriver({ url: "redis://127.0.0.1:1", timeout: 50 } as never)
    await assert.rejects(call, refused(['redisDriver() has no option "timeout"', "did you mean timeoutMs?"]))
  })

  it("still take every option they document", async () => {
    const memory = memoryDriver({ sweepIntervalMs: 1000, clock: { now: () => 0 } })
    memory.close()
    const sqlite = sqliteDriver({ path: ":memory:", sweepIntervalMs: 1000, sweepBatchSize: 10, busyTimeoutMs: 100 })
    await sqlite.close()
    assert.equal(cloudflareDriver(namespace, { label: "mine" }).name, "cloudflare")
  })
})
