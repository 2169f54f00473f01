import assert from "node:assert/strict"
import { after, describe, it } from "node:test"
import { storage } from "@layeron/modules"
import { storesOfApp } from "../../src/inspector/stores.ts"

const declared = storage.kv({ name: "notes", driver: "memory:" })
const held = storage.kv({
  name: "sessions",
  namespace: "auth",
  ttlSeconds: 3600,
  driver: "memory:",
  consistency: "strong",
})
after(async () => {
  await Promise.all([declared.close(), held.close()])
})

describe("inspector: which stores it shows", () => {
  it("shows declared stores, and the stores a declared module keeps in its fields, each once", async () => {
    const sessionsModule = { name: "auth.sessions(auth)", store: held, ttlSeconds: 3600, label: "not a store" }
    const stores = await storesOfApp(() => [declared, sessionsModule, { name: "other", again: held }])()
    assert.deepEqual(
      stores.map(({ id, label, details }) => ({ id, label, details })),
      [
        { id: "default/notes", label: "default/notes", details: ["no default TTL", "eventual"] },
        {
          id: "auth/sessions",
          label: "auth/sessions",
          details: ["TTL 3600 s", "strong", "used by auth.sessions(auth)"],
        },
      ],
    )
    assert.equal(stores[1]?.kv, held)
  })

  it("shows nothing for an app without stores", async () => {
    assert.deepEqual(await storesOfApp(() => [{ name: "queue", start() {} }])(), [])
  })
})
