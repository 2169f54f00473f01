// The layout the package keeps: a folder per driver whose index.ts opens with
// what the driver is and what it relies on, and a generic layer (src/kv/*.ts)
// that imports no driver file, so that adding a driver touches its own folder
// and the entry's list of registrations.
import assert from "node:assert/strict"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { it } from "node:test"
import { fileURLToPath } from "node:url"

const KV = fileURLToPath(new URL("../src/kv/", import.meta.url))
const DRIVERS = join(KV, "drivers")

it("has a folder per driver, each with an index.ts that opens with a comment", () => {
  const entries = readdirSync(DRIVERS, { withFileTypes: true })
  assert.deepEqual(
    entries.filter((entry) => !entry.isDirectory()).map((entry) => entry.name),
    [],
    "nothing but folders",
  )
  const folders = entries.map((entry) => entry.name).sort()
  assert.deepEqual(folders, ["cloudflare", "durable-objects", "memory", "postgres", "redis", "sqlite"])
  for (const folder of folders) {
    const index = readFileSync(join(DRIVERS, folder, "index.ts"), "utf8")
    assert.match(index, /^\/\*\*\n \* The [\w-]+ driver/, `${folder}/index.ts says what the driver is`)
  }
})

it("keeps the generic layer free of driver imports", () => {
  for (const file of readdirSync(KV).filter((name) => name.endsWith(".ts"))) {
    const source = readFileSync(join(KV, file), "utf8")
    assert.doesNotMatch(source, /from "\.\/drivers\/|import\("\.\/drivers\//, `${file} imports no driver`)
  }
})
