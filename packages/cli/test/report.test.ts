// Which failures the command prints as one line: those that say they are the
// user's to fix outside the code (@layeron/core's `userFixable` contract) and
// imports of files or packages that are missing. Never decided by class name.
import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { ListenError } from "@layeron/core"
import { KVError } from "@layeron/modules"
import { describeFailure } from "../src/report.ts"
import { UserError } from "../src/user-error.ts"

const isOneLine = (error: unknown) => describeFailure(error, "app.ts") === `layeron: ${(error as Error).message}`

describe("a failure of the command", () => {
  it("is one line when the error says it is the user's to fix, whatever its class", () => {
    class QueueUnavailable extends Error {
      readonly userFixable = true
    }
    assert.ok(isOneLine(new QueueUnavailable("the queue at localhost:5672 is down; start it")))
    assert.ok(isOneLine(new UserError("Entry file not found: app.ts")))
    assert.ok(isOneLine(new ListenError("Port 3000 is in use", "EADDRINUSE")))
    assert.ok(isOneLine(Object.assign(new Error("Cannot find module 'x'"), { code: "ERR_MODULE_NOT_FOUND" })))
  })

  it("is one line for storage errors about configuration or an unreachable backend, and only those", () => {
    assert.ok(isOneLine(new KVError("KV_CONFIG_INVALID", 'LAYERON_KV="x" is not a storage URL')))
    assert.ok(isOneLine(new KVError("KV_UNAVAILABLE", "Redis 127.0.0.1:6390 is unavailable")))
    for (const code of ["KV_KEY_INVALID", "KV_DRIVER_ERROR"] as const) {
      const described = describeFailure(new KVError(code, "x"), "app.ts")
      assert.match(described, /^layeron: app\.ts failed to start: KVError: x\n\s+at /, code)
    }
  })

  it("shows where a bug is when the error does not say it is the user's to fix, even under a Layeron class name", () => {
    for (const name of ["UserError", "ListenError", "KVError"]) {
      const error = Object.assign(new Error("undefined is not a function"), { name, code: "KV_CONFIG_INVALID" })
      assert.match(describeFailure(error, "app.ts"), /failed to start: .*undefined is not a function\n\s+at /, name)
    }
    const flagged = Object.assign(new Error("not a real flag"), { userFixable: "yes" })
    assert.match(describeFailure(flagged, "app.ts"), /failed to start/)
  })
})
