// The inspector is a `layeron dev` tool: production serving (`layeron start`)
// and a Worker build answer /_layeron/ as the app does, and the bundle holds none of its code.
import assert from "node:assert/strict"
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { Miniflare } from "miniflare"
import { workerOptions } from "../../src/build/miniflare.ts"
import { CliProcess, killAll, REPO_ROOT, runCli } from "../support/cli-process.ts"

const APP = `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"
const app = backend()
const notes = storage.kv({ name: "notes" })
app.use(notes)
app.put("/seed", async () => {
  await notes.put("secret", "value")
  return new Response("seeded")
})
`

let dir: string
before(() => {
  dir = mkdtempSync(join(tmpdir(), "layeron-not-served-"))
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir")
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "notes", type: "module" }))
  writeFileSync(join(dir, "app.ts"), APP)
})
after(() => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

const PATHS = ["/_layeron/", "/_layeron", "/_layeron/api/stores", "/_layeron/api/keys?store=default%2Fnotes"]

async function assertNotServed(origin: string): Promise<void> {
  assert.equal(await (await fetch(`${origin}/seed`, { method: "PUT" })).text(), "seeded")
  for (const path of PATHS) {
    const response = await fetch(`${origin}${path}`, {
      headers: { "x-layeron-inspector": "anything" },
      redirect: "manual",
    })
    const body = await response.text()
    assert.equal(response.status, 404, path)
    assert.doesNotMatch(body, /inspector|secret/i, path)
  }
}

describe("the inspector is never served outside layeron dev", { timeout: 60_000 }, () => {
  it("layeron start answers /_layeron/ with the app's 404", async () => {
    const cli = new CliProcess(["start", "app.ts", "--port", "0", "--host", "127.0.0.1"], { cwd: dir })
    await assertNotServed(await cli.servingUrl())
    assert.doesNotMatch(cli.stdout, /inspector/)
    cli.signal("SIGTERM")
    await cli.waitForExit()
  })

  it("a Worker build has none of its code and answers /_layeron/ with the app's 404", async () => {
    const outdir = join(dir, "dist")
    const build = await runCli(["build", "--target", "cloudflare", "app.ts", "--outdir", outdir], {
      cwd: dir,
      timeoutMs: 30_000,
    })
    assert.equal(build.exit.code, 0, build.output())
    const bundle = readFileSync(join(outdir, "worker.js"), "utf8")
    assert.doesNotMatch(bundle, /_layeron|layeron-inspector/)
    const mf = new Miniflare({ ...workerOptions(join(outdir, "wrangler.jsonc")), port: 0, host: "127.0.0.1" })
    try {
      await assertNotServed((await mf.ready).origin)
    } finally {
      await mf.dispose()
    }
  })
})
