// auth.sessions runs on Workers as on Node.js: Web Crypto and Web APIs only.
import assert from "node:assert/strict"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { it } from "node:test"
import { fileURLToPath } from "node:url"

const SOURCE = fileURLToPath(new URL("../../../src/auth/", import.meta.url))

it("imports nothing from node: and takes randomness from Web Crypto", () => {
  const files = readdirSync(SOURCE, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".ts"))
  assert.ok(files.length >= 7, files.join(", "))
  const all = files.map((name) => readFileSync(join(SOURCE, name), "utf8")).join("\n")
  assert.doesNotMatch(all, /from "node:|require\(|Math\.random|Buffer\./)
  assert.match(all, /crypto\.getRandomValues/)
  assert.match(all, /from "@noble\/hashes\/sha2\.js"/)
})
