import assert from "node:assert/strict"
import { rule, type SuiteContext } from "./context.js"
import { listAll } from "./list.js"

export function sharingRules(t: SuiteContext): void {
  t.describe("sharing a backend", () => {
    // What two app processes on one backend rely on: a logout on one is seen by the other at once.
    rule(
      t,
      "sharing: second connection",
      "sees every write of a second connection at once, deletes and overwrites included",
      async () => {
        const first = await t.driver()
        const here = await t.store({ driver: first, ttlSeconds: 3600 })
        const connect = t.secondConnection as NonNullable<SuiteContext["secondConnection"]>
        const there = await t.store({ name: here.storeName, namespace: here.namespace, driver: await connect(first) })
        await here.put("session", "v1", { metadata: { user: "u1" } })
        const seen = await there.get("session")
        assert.equal(await seen?.text(), "v1")
        assert.deepEqual(seen?.metadata, { user: "u1" })
        assert.equal(seen?.expiresAt?.getTime(), (await here.get("session"))?.expiresAt?.getTime())
        await there.put("session", "v2")
        assert.equal(await (await here.get("session"))?.text(), "v2", "an overwrite is seen")
        assert.equal((await here.getMany(["session"])).get("session")?.expiresAt, null)
        await there.delete("session")
        assert.equal(await here.get("session"), null, "a delete is seen")
        assert.equal(await here.has("session"), false)
        await here.put("other", "v")
        assert.deepEqual(await listAll(there), ["other"])
        assert.ok(await there.get("other"))
        await here.delete("other")
        assert.deepEqual(await listAll(there), [])
        assert.equal(await there.has("other"), false)
      },
      { secondConnection: true },
    )
  })
}
