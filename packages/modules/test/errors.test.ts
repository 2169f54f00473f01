// What a KVError says about itself: who fixes it and the HTTP status it maps
// to, from its code, through @layeron/core's error contract.
import assert from "node:assert/strict"
import { it } from "node:test"
import { backend, isStatusError, isUserFixable } from "@layeron/core"
import { KV_ERROR_CODES, KVError, type KVErrorCode } from "@layeron/modules"

it("classifies every code: caller mistakes and driver failures are 500s, operator problems one-line, KV_UNAVAILABLE 503", () => {
  const byFixer: Record<string, string[]> = {}
  for (const code of Object.keys(KV_ERROR_CODES) as KVErrorCode[]) {
    const error = new KVError(code, "x")
    assert.equal(error.status, code === "KV_UNAVAILABLE" ? 503 : 500, code)
    assert.equal(isStatusError(error), true, `${code} carries its status by the core contract`)
    assert.equal(isUserFixable(error), error.fixedBy === "operator", code)
    assert.equal(error.userFixable, error.fixedBy === "operator", code)
    byFixer[error.fixedBy] = [...(byFixer[error.fixedBy] ?? []), code]
  }
  assert.deepEqual(byFixer.operator, ["KV_UNAVAILABLE", "KV_CONFIG_INVALID"])
  assert.deepEqual(byFixer.driver, ["KV_DRIVER_ERROR"])
  assert.equal(byFixer.caller?.length, 15)
})

it("counts a code it does not know as a driver error", () => {
  const error = new KVError("KV_SOMETHING_NEW" as KVErrorCode, "x")
  assert.equal(error.fixedBy, "driver")
  assert.equal(error.status, 500)
  assert.equal(error.userFixable, false)
})

it("makes a handler that lets KV_UNAVAILABLE through answer 503, and a caller mistake 500", async () => {
  const app = backend({ logger: { info() {}, error() {} } })
  app.get("/down", () => {
    throw new KVError("KV_UNAVAILABLE", "Redis 127.0.0.1:6390 is unavailable")
  })
  app.get("/bug", () => {
    throw new KVError("KV_KEY_INVALID", "key is empty")
  })
  assert.equal((await app.fetch(new Request("http://localhost/down"))).status, 503)
  assert.equal((await app.fetch(new Request("http://localhost/bug"))).status, 500)
})
