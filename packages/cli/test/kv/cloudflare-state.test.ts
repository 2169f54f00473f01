// `layeron kv --target cloudflare` works on the very state `layeron dev
// --target cloudflare` serves: sessions imported there verify through the
// docs' example running in workerd, and a session logged in there is listed
// and exported with its expiry.
import assert from "node:assert/strict"
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { CliProcess, EXAMPLE_APP, killAll, REPO_ROOT } from "../support/cli-process.ts"
import { kvCli, ok } from "./support/kv-cli.ts"

const STORE = "auth/user-sessions"
const DAY = 24 * 60 * 60 * 1000
let dir: string

before(() => {
  dir = mkdtempSync(join(tmpdir(), "layeron-kv-cf-"))
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir")
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "sessions", type: "module" }))
  copyFileSync(EXAMPLE_APP, join(dir, "app.ts"))
})

after(() => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

const session = (email: string) =>
  JSON.stringify({ userId: "usr_100", email, roles: ["admin"], createdAt: "2026-11-30T00:00:00.000Z" })

describe("layeron kv --target cloudflare", () => {
  it("imports sessions into the local Workers state that layeron dev --target cloudflare serves", async () => {
    const expiresAt = new Date(Date.now() + 30 * DAY).toISOString()
    const dump = join(dir, "sessions.ndjson")
    writeFileSync(
      dump,
      `${JSON.stringify({ key: "session:imported", value: session("moved@example.com"), contentType: "application/json", expiresAt })}\n`,
    )
    const imported = ok(
      await kvCli(["import", "app.ts", STORE, "--target", "cloudflare"], { cwd: dir, stdinFile: dump }),
    )
    assert.equal(imported.text, "layeron kv import: 1 entries into auth/user-sessions\n")

    const dev = new CliProcess(["dev", "--target", "cloudflare", "app.ts", "--port", "0"], { cwd: dir })
    const url = await dev.servingUrl()
    const profile = await fetch(`${url}/api/profile`, { headers: { authorization: "Bearer imported" } })
    assert.equal(profile.status, 200)
    assert.deepEqual(await profile.json(), { message: "Hello, moved@example.com!", roles: ["admin"] })
    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "new@example.com" }),
    })
    const { token } = (await login.json()) as { token: string }
    dev.signal("SIGTERM")
    await dev.waitForExit()

    const listed = ok(await kvCli(["list", "app.ts", STORE, "--json", "--target", "cloudflare"], { cwd: dir }))
    const keys = JSON.parse(listed.text) as { name: string; expiresAt: string }[]
    assert.deepEqual(keys.map((key) => key.name).sort(), ["session:imported", `session:${token}`].sort())
    assert.equal(keys.find((key) => key.name === "session:imported")?.expiresAt, expiresAt, "to the millisecond")
    const made = Date.parse(keys.find((key) => key.name === `session:${token}`)?.expiresAt as string) - Date.now()
    assert.ok(made > DAY - 120_000 && made <= DAY, `the login's 24 hours: ${made} ms`)
  })
})
