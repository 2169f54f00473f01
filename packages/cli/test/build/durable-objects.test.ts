// The Durable Object classes and migrations a build plans from the app's
// strong stores and the migrations of the earlier wrangler.jsonc.
import assert from "node:assert/strict"
import { test } from "node:test"
import type { ModuleBinding } from "../../src/build/discover.js"
import { planDurableObjects } from "../../src/build/durable-objects.js"

const strong = (binding: string): ModuleBinding => ({
  type: "durable_object_namespace",
  binding,
  className: `LayeronKV_${binding}`,
  module: `store ${binding}`,
})

test("a first build migrates every strong store's class under v1", () => {
  const plan = planDurableObjects([strong("A"), { type: "kv_namespace", binding: "K", module: "k" }], undefined)
  assert.deepEqual(plan.migrations, [{ tag: "v1", new_sqlite_classes: ["LayeronKV_A"] }])
  assert.deepEqual(plan.classes, ["LayeronKV_A"])
  assert.deepEqual(plan.added, ["LayeronKV_A"])
})

test("keeps earlier migrations as they are, follows renames and deletions, and tags only new classes", () => {
  const earlier = [
    { tag: "v1", new_sqlite_classes: ["LayeronKV_A", "LayeronKV_OLD"], note: "mine" },
    { tag: "v2", renamed_classes: [{ from: "LayeronKV_OLD", to: "LayeronKV_B" }] },
    { tag: "v3", new_sqlite_classes: ["LayeronKV_GONE"] },
    { tag: "v4", deleted_classes: ["LayeronKV_GONE"] },
    { tag: "v5", new_classes: ["ChatRoom"] },
  ]
  const plan = planDurableObjects([strong("A"), strong("B"), strong("C")], earlier)
  assert.deepEqual(plan.migrations.slice(0, 5), earlier)
  assert.deepEqual(plan.migrations[5], { tag: "v6", new_sqlite_classes: ["LayeronKV_C"] })
  assert.deepEqual(plan.added, ["LayeronKV_C"])
  // The user's own class is not the bundle's to export; a deleted one is gone.
  assert.deepEqual(plan.classes.sort(), ["LayeronKV_A", "LayeronKV_B", "LayeronKV_C"])
})

test("a tag already taken is skipped, and nothing new means no new migration", () => {
  const earlier = [{ tag: "v2", new_sqlite_classes: ["LayeronKV_A"] }]
  assert.deepEqual(planDurableObjects([strong("A")], earlier).migrations, earlier)
  assert.equal((planDurableObjects([strong("B")], earlier).migrations[1] as { tag: string }).tag, "v3", "v2 is taken")
})

test("a class name from wrangler.jsonc that Layeron would not make is never written into the bundle", () => {
  const earlier = [{ tag: "v1", new_sqlite_classes: ["LayeronKV_X {}\nfetch('https://evil')//", "LayeronKV_ok"] }]
  assert.deepEqual(planDurableObjects([], earlier).classes, [])
  assert.deepEqual(planDurableObjects([], "not an array").migrations, [])
})
