// `layeron dev --target cloudflare`: the Worker build served by workerd,
// rebuilt on change, with KV data and strong stores' Durable Objects kept
// under .layeron/ between runs.
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { CliProcess, killAll, REPO_ROOT } from "./support/cli-process.js"

let dir: string

const app = (greeting: string) => `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"
const app = backend()
const notes = storage.kv({ name: "notes" })
const hits = storage.kv({ name: "hits", consistency: "strong" })
app.use(notes)
app.use(hits)
app.post("/hits", async () => Response.json(await hits.increment("total")))
app.put("/notes/:id", async (request, ctx) => {
  await notes.put(ctx.params.id, await request.text())
  return new Response(null, { status: 204 })
})
app.get("/notes/:id", async (_request, ctx) => {
  const note = await notes.get(ctx.params.id)
  return new Response(note ? \`${greeting}: \${await note.text()}\` : "none")
})
`

before(() => {
  dir = mkdtempSync(join(tmpdir(), "layeron-cf-dev-"))
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir")
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "notes", type: "module" }))
  writeFileSync(join(dir, "app.ts"), app("note"))
})

after(() => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

const dev = () => new CliProcess(["dev", "--target", "cloudflare", "app.ts", "--port", "0"], { cwd: dir })

describe("layeron dev --target cloudflare", () => {
  test("serves the Worker in workerd, rebuilds on change, and keeps KV and strong stores' data under .layeron/", async () => {
    const first = dev()
    const url = await first.servingUrl()
    assert.match(first.stdout, /in workerd/)
    assert.equal((await fetch(`${url}/notes/1`, { method: "PUT", body: "buy milk" })).status, 204)
    assert.equal(await (await fetch(`${url}/notes/1`)).text(), "note: buy milk")
    for (const expected of [1, 2]) assert.equal(await (await fetch(`${url}/hits`, { method: "POST" })).json(), expected)

    writeFileSync(join(dir, "app.ts"), app("edited"))
    await first.waitFor(/rebuilt app\.ts/)
    assert.equal(await (await fetch(`${url}/notes/1`)).text(), "edited: buy milk")

    // Miniflare ends the process as wrangler dev does: workerd stopped, exit 128 + the signal's number.
    first.signal("SIGINT")
    assert.deepEqual(await first.waitForExit(), { code: 130, signal: null })
    assert.ok(existsSync(join(dir, ".layeron", "cloudflare-kv")))
    assert.ok(existsSync(join(dir, ".layeron", "cloudflare-do")))

    const second = dev()
    const again = await second.servingUrl()
    assert.equal(await (await fetch(`${again}/notes/1`)).text(), "edited: buy milk", "the note outlived the restart")
    assert.equal(
      await (await fetch(`${again}/hits`, { method: "POST" })).json(),
      3,
      "so did the strong store's counter",
    )
    second.signal("SIGTERM")
    assert.deepEqual(await second.waitForExit(), { code: 143, signal: null })
  })
})
