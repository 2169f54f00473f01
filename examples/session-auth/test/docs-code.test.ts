// The example must be the docs' code exactly as printed.
import assert from "node:assert/strict"
import { existsSync, readFileSync } from "node:fs"
import { it } from "node:test"

const docs = new URL("../../../../shared/seed/session-storage.md", import.meta.url)

it("app.ts is the docs' code as printed", {
  skip: existsSync(docs) ? false : "shared/seed is not beside this checkout",
}, () => {
  const page = readFileSync(docs, "utf8")
  const start = page.indexOf('import { backend } from "@layeron/core"')
  const end = page.indexOf("  1. Edge-Cached")
  assert.ok(start >= 0 && end > start, "the docs page still holds the example")
  const printed = page.slice(start, end).trimEnd()
  const app = readFileSync(new URL("../app.ts", import.meta.url), "utf8").trimEnd()
  assert.equal(app, printed)
})
