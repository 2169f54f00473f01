// `layeron dev --target cloudflare`: the inspector reads the stores in
// Miniflare's local KV and a strong store's Durable Objects (where the
// Worker wrote them), decoded by the app's own drivers, and stays local.
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { request as httpRequest } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { CliProcess, killAll, REPO_ROOT } from "../support/cli-process.ts"

const CHROMIUM = "/usr/bin/chromium"

const APP = `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"
const app = backend()
const sessions = storage.kv({ name: "user-sessions", namespace: "auth", ttlSeconds: 86400 })
const files = storage.kv({ name: "files" })
const counters = storage.kv({ name: "counters", consistency: "strong", shards: 3 })
app.use(sessions)
app.use(files)
app.use(counters)
app.put("/seed", async () => {
  await sessions.put("session:ada", JSON.stringify({ userId: "ada" }), { contentType: "application/json", metadata: { userId: "ada" } })
  await sessions.put("session:bob", "bob")
  await files.put("logo.bin", new Uint8Array([0, 1, 255]))
  for (const name of ["ada", "bob", "cy", "dee", "eve"]) await counters.increment(\`visits:\${name}\`, name.length)
  await counters.put("motd", "hello", { ttlSeconds: 3600, metadata: { by: "ops" } })
  return new Response("seeded")
})
app.get("/has/:key", async (_request, ctx) => new Response(String(await sessions.has(ctx.params.key))))
app.get("/counter/:key", async (_request, ctx) => new Response(String(await counters.has(ctx.params.key))))
`

let dir: string
let cli: CliProcess
let origin: string
let token: string

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "layeron-cf-inspector-"))
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir")
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "inspected", type: "module" }))
  writeFileSync(join(dir, "app.ts"), APP)
  cli = new CliProcess(["dev", "--target", "cloudflare", "app.ts", "--port", "0"], { cwd: dir })
  origin = await cli.servingUrl()
  await cli.waitFor(/layeron dev: inspector at http:\/\/127\.0\.0\.1:\d+\/_layeron\//)
  assert.equal(await (await fetch(`${origin}/seed`, { method: "PUT" })).text(), "seeded")
  const page = await (await fetch(`${origin}/_layeron/`)).text()
  token = /name="layeron-inspector-token" content="([0-9a-f]+)"/.exec(page)?.[1] as string
  assert.ok(token)
})
after(() => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

async function api(path: string, method = "GET") {
  const response = await fetch(`${origin}/_layeron/api/${path}`, { method, headers: { "x-layeron-inspector": token } })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe("layeron dev --target cloudflare: the inspector", { timeout: 120_000 }, () => {
  it("lists the Worker's stores and reads entries as the Worker stored them", async () => {
    const stores = await api("stores")
    assert.deepEqual(stores.body.stores, [
      { id: "AUTH_USER_SESSIONS", label: "auth/user-sessions", details: ["Workers KV binding AUTH_USER_SESSIONS"] },
      { id: "DEFAULT_FILES", label: "default/files", details: ["Workers KV binding DEFAULT_FILES"] },
      {
        id: "DEFAULT_COUNTERS",
        label: "default/counters",
        details: ["Durable Object binding DEFAULT_COUNTERS (strong store)"],
      },
    ])
    const keys = await api("keys?store=AUTH_USER_SESSIONS&prefix=session%3A&limit=1")
    const listed = keys.body.keys as { name: string; expiresAt: number; metadata: unknown }[]
    assert.deepEqual(
      listed.map((key) => [key.name, key.metadata]),
      [["session:ada", { userId: "ada" }]],
    )
    const left = listed[0]?.expiresAt ?? 0
    assert.ok(Math.abs(left - (keys.body.now as number) - 86_400_000) < 60_000, "about 24 h left")
    assert.equal(keys.body.complete, false)
    const next = await api(`keys?store=AUTH_USER_SESSIONS&prefix=session%3A&cursor=${keys.body.cursor}`)
    assert.deepEqual(
      (next.body.keys as { name: string }[]).map((key) => key.name),
      ["session:bob"],
    )

    const entry = await api("entry?store=AUTH_USER_SESSIONS&key=session%3Aada")
    assert.equal(entry.body.contentType, "application/json")
    assert.deepEqual(entry.body.metadata, { userId: "ada" })
    assert.deepEqual(entry.body.value, { kind: "json", text: '{\n  "userId": "ada"\n}', truncated: false })
    const binary = await api("entry?store=DEFAULT_FILES&key=logo.bin")
    assert.equal(binary.body.size, 3)
    assert.equal((binary.body.value as { hex: string }).hex.slice(0, 18), "00000000  00 01 ff")
    assert.equal((await api("keys?store=NOPE")).status, 404)
  })

  it("lists a strong store's keys across its Durable Objects, and deletes one the Worker then no longer finds", async () => {
    const names: string[] = []
    let cursor = ""
    // Pages of two: the keys sit in three objects (shards: 3), merged in key order.
    for (let page = 0; page < 5; page++) {
      const keys = await api(`keys?store=DEFAULT_COUNTERS&prefix=visits%3A&limit=2${cursor}`)
      assert.equal(keys.status, 200)
      names.push(...(keys.body.keys as { name: string }[]).map((key) => key.name))
      if (keys.body.complete === true) break
      cursor = `&cursor=${encodeURIComponent(keys.body.cursor as string)}`
    }
    assert.deepEqual(names, ["visits:ada", "visits:bob", "visits:cy", "visits:dee", "visits:eve"])

    const counter = await api("entry?store=DEFAULT_COUNTERS&key=visits%3Adee")
    assert.deepEqual(counter.body.value, { kind: "text", text: "3", truncated: false })
    const motd = await api("entry?store=DEFAULT_COUNTERS&key=motd")
    assert.deepEqual(motd.body.metadata, { by: "ops" })
    assert.ok(Math.abs((motd.body.expiresAt as number) - Date.now() - 3_600_000) < 60_000, "about an hour left")

    assert.equal(await (await fetch(`${origin}/counter/visits%3Abob`)).text(), "true")
    assert.equal((await api("entry?store=DEFAULT_COUNTERS&key=visits%3Abob", "DELETE")).status, 200)
    assert.equal(await (await fetch(`${origin}/counter/visits%3Abob`)).text(), "false")
    assert.equal(await (await fetch(`${origin}/counter/visits%3Aada`)).text(), "true")
    assert.equal((await api("entry?store=DEFAULT_COUNTERS&key=visits%3Abob")).status, 404)
  })

  it("refuses a page reached by DNS rebinding and calls without the token", async () => {
    const { port } = new URL(origin)
    const rebinding = await new Promise<number>((resolve, reject) => {
      httpRequest({ host: "127.0.0.1", port, path: "/_layeron/", headers: { host: `evil.example:${port}` } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
        .on("error", reject)
        .end()
    })
    assert.equal(rebinding, 403)
    assert.equal((await fetch(`${origin}/_layeron/api/stores`)).status, 403)
    // Paths beside the inspector's are the app's.
    assert.equal((await fetch(`${origin}/_layeronx`)).status, 404)
    assert.equal(await (await fetch(`${origin}/has/session%3Aada`)).text(), "true")
  })

  it("deletes a key from the page, with a confirmation, and the Worker no longer finds it", {
    skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium; .ci/run does)`,
  }, async () => {
    const { chromium } = await import("playwright-core")
    const browser = await chromium.launch({ executablePath: CHROMIUM })
    try {
      const page = await browser.newPage()
      await page.goto(`${origin}/_layeron/`)
      await page.getByRole("button", { name: "session:bob" }).click()
      await page.locator("#entry-key", { hasText: "session:bob" }).waitFor()
      await page.getByRole("button", { name: "Delete…" }).click()
      await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click()
      await page.locator("#status", { hasText: "Deleted session:bob" }).waitFor()
      assert.equal(await (await fetch(`${origin}/has/session%3Abob`)).text(), "false")
    } finally {
      await browser.close()
    }
  })

  it("is off when workerd listens beyond loopback, where Miniflare cannot tell who is calling", async () => {
    const open = new CliProcess(["dev", "--target", "cloudflare", "app.ts", "--port", "0", "--host", "0.0.0.0"], {
      cwd: dir,
    })
    const { port } = new URL(await open.servingUrl())
    await open.waitFor(/no inspector: it answers only on this machine's loopback, and --host 0\.0\.0\.0 is not/)
    const response = await fetch(`http://127.0.0.1:${port}/_layeron/`)
    assert.equal(response.status, 404)
    assert.doesNotMatch(await response.text(), /inspector/i)
    open.signal("SIGTERM")
    await open.waitForExit()
  })
})
