// What @layeron/core exports at run time: the documented API. What the
// layeron command needs to find an entry's app comes from the undocumented
// @layeron/core/internal instead.
import assert from "node:assert/strict"
import { it } from "node:test"

it("@layeron/core exports the documented API only", async () => {
  const exported = Object.keys(await import("@layeron/core")).sort()
  assert.deepEqual(exported, [
    "Backend",
    "DEFAULT_BODY_LIMIT",
    "HttpError",
    "ListenError",
    "backend",
    "isStatusError",
    "isUserFixable",
  ])
})

it("@layeron/core/internal holds what the command uses to find an app", async () => {
  const exported = Object.keys(await import("@layeron/core/internal")).sort()
  assert.deepEqual(exported, ["createdBackends", "isBackend"])
})
