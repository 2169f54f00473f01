// The inspector as a developer uses it: `layeron dev` serving a real app on a
// real SQLite file, driven in headless Chromium. The test seeds and checks the
// same file through a store of its own, and moves the page's clock (never
// sleeps) to see the countdown.
import assert from "node:assert/strict"
import { existsSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { request as httpRequest } from "node:http"
import { networkInterfaces } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { type KVStore, storage } from "@layeron/modules"
import type { Browser, Locator, Page } from "playwright-core"
import { CliProcess, freePort, killAll, tempProject } from "../support/cli-process.ts"

const CHROMIUM = "/usr/bin/chromium"
const XSS_KEY = `<img src=x onerror="window.__pwned='key'">`

const APP = (marker: string) => `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"
const app = backend()
app.use(storage.kv({ name: "user-sessions", namespace: "auth", ttlSeconds: 86400 }))
app.use(storage.kv({ name: "files" }))
app.get("/", () => new Response(${JSON.stringify(marker)}))
`

let project: Awaited<ReturnType<typeof tempProject>>
let cli: CliProcess
let url: string
let sessions: KVStore
let files: KVStore

before(async () => {
  project = await tempProject({ "app.ts": APP("one") })
  const kvUrl = `sqlite:${join(project.dir, "kv.db")}`
  sessions = storage.kv({ name: "user-sessions", namespace: "auth", ttlSeconds: 86400, driver: kvUrl })
  files = storage.kv({ name: "files", driver: kvUrl })
  await sessions.put("session:ada", JSON.stringify({ userId: "ada", roles: ["admin"] }), {
    contentType: "application/json",
    metadata: { userId: "ada" },
    ttlSeconds: 3 * 3600,
  })
  await sessions.put("session:bob", JSON.stringify({ userId: "bob" }), { contentType: "application/json" })
  await sessions.put("session:short", "soon gone", { ttlSeconds: 60 })
  await sessions.put(XSS_KEY, `<script>window.__pwned='value'</script>`, {
    metadata: { note: `</pre><img src=x onerror="window.__pwned='metadata'">` },
  })
  await files.put("logo.bin", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]))
  for (let i = 0; i < 60; i++) await files.put(`item:${String(i).padStart(2, "0")}`, `value ${i}`)
  // Every interface (the default), so the test can also knock from a non-loopback address; a
  // fixed port, so the page stays at its URL when a save restarts the app.
  const port = String(await freePort())
  cli = new CliProcess(["dev", "app.ts", "--port", port], { cwd: project.dir, env: { LAYERON_KV: kvUrl } })
  url = await cli.servingUrl()
})

after(async () => {
  killAll()
  await Promise.all([sessions?.close(), files?.close()])
  await project?.remove()
})

/** The text a locator shows, as a user reads it (line breaks where blocks break). */
function shown(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText, not the DOM property
  return locator.innerText()
}

/** "1d 2h 3m 4s" (any leading parts left out) as seconds. */
function seconds(countdown: string): number {
  const match = /^(?:(\d+)d )?(?:(\d+)h )?(?:(\d+)m )?(\d+)s$/.exec(countdown)
  assert.ok(match, `a countdown, got "${countdown}"`)
  const [, d = "0", h = "0", m = "0", s = "0"] = match
  return Number(d) * 86400 + Number(h) * 3600 + Number(m) * 60 + Number(s)
}

describe("layeron dev: the inspector in a browser", { timeout: 120_000 }, () => {
  it("prints where the inspector is", async () => {
    await cli.waitFor(/layeron dev: inspector at http:\/\/localhost:\d+\/_layeron\//)
  })

  it("opens a store, filters by prefix, pages, opens values, counts down, deletes with confirmation, and runs no user data", {
    skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium; .ci/run does)`,
  }, async () => {
    const { chromium } = await import("playwright-core")
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM })
    try {
      const page: Page = await browser.newPage()
      const problems: string[] = []
      page.on("dialog", (dialog) => {
        problems.push(`a dialog opened: ${dialog.message()}`)
        void dialog.dismiss()
      })
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
      let restarted = false
      let refusedAfterRestart = 0
      page.on("response", (response) => {
        if (restarted && response.status() === 403) refusedAfterRestart++
      })
      page.on("console", (message) => {
        // After a restart, the first call with the old token is refused (403) before the page takes the new one.
        if (restarted && /status of 403/.test(message.text())) return
        if (message.type() === "error") problems.push(`console error: ${message.text()}`)
      })
      page.on("request", (request) => {
        if (!request.url().startsWith(`${url}/_layeron/`))
          problems.push(`request outside the inspector: ${request.url()}`)
      })
      await page.clock.install()
      await page.goto(`${url}/_layeron/`)

      // Every declared store; the first opens by itself.
      const stores = page.getByRole("navigation", { name: "Stores" }).getByRole("button")
      assert.deepEqual(await stores.allInnerTexts(), [
        "auth/user-sessions\nTTL 86400 s · eventual",
        "default/files\nno default TTL · eventual",
      ])
      const rows = page.locator("#keys tbody tr")
      const keyNames = () => page.locator("#keys td.key").allInnerTexts()
      await page.getByRole("heading", { name: "auth/user-sessions" }).waitFor()
      await page.locator("#keys td.key", { hasText: "session:ada" }).waitFor()
      assert.deepEqual(await keyNames(), [XSS_KEY, "session:ada", "session:bob", "session:short"])

      // Open a value: JSON pretty-printed, with its content type, metadata and a live countdown.
      await page.getByRole("button", { name: "session:ada" }).click()
      const pane = page.getByRole("region", { name: "Entry" })
      await pane.waitFor()
      await page.locator("#entry-key", { hasText: "session:ada" }).waitFor()
      assert.equal(await shown(page.locator("#entry-type")), "application/json")
      assert.equal(
        await shown(page.locator("#entry-value")),
        '{\n  "userId": "ada",\n  "roles": [\n    "admin"\n  ]\n}',
      )
      assert.equal(await shown(page.locator("#entry-metadata")), '{\n  "userId": "ada"\n}')
      assert.equal(await shown(page.locator("#entry-note")), "JSON, pretty-printed")
      const before = seconds(await shown(page.locator("#entry-ttl")))
      assert.ok(before > 3 * 3600 - 120 && before <= 3 * 3600, `about 3 h left, got ${before} s`)
      await page.clock.fastForward("01:00:00")
      const later = seconds(await shown(page.locator("#entry-ttl")))
      assert.ok(Math.abs(before - 3600 - later) <= 2, `an hour less: ${before} s, then ${later} s`)
      const shortRow = rows.filter({ hasText: "session:short" })
      assert.equal(await shown(shortRow.locator("td.ttl")), "expired")

      // User data shows as text, and runs nowhere.
      await page.getByRole("button", { name: XSS_KEY }).click()
      await page.locator("#entry-key", { hasText: XSS_KEY }).waitFor()
      assert.equal(await shown(page.locator("#entry-value")), `<script>window.__pwned='value'</script>`)
      assert.match(await shown(page.locator("#entry-metadata")), /<\/pre><img src=x/)
      assert.equal(await page.locator("img, iframe, object").count(), 0)
      assert.equal(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned), undefined)

      // Another store: pages of 50, forward and back.
      await page.getByRole("button", { name: /^default\/files/ }).click()
      await page.getByRole("heading", { name: "default/files" }).waitFor()
      await page.locator("#page-info", { hasText: "page 1, 50 keys" }).waitFor()
      assert.equal(await rows.count(), 50)
      assert.equal(await page.getByRole("button", { name: "← Previous" }).isDisabled(), true)
      await page.getByRole("button", { name: "Next →" }).click()
      await page.locator("#page-info", { hasText: "page 2, 11 keys" }).waitFor()
      assert.deepEqual((await keyNames()).slice(0, 2), ["item:50", "item:51"])
      assert.equal(await page.getByRole("button", { name: "Next →" }).isDisabled(), true)
      await page.getByRole("button", { name: "← Previous" }).click()
      await page.locator("#page-info", { hasText: "page 1, 50 keys" }).waitFor()

      // Filter by prefix.
      await page.getByLabel("Prefix").fill("item:0")
      await page.getByLabel("Prefix").press("Enter")
      await page.locator("#page-info", { hasText: "page 1, 10 keys" }).waitFor()
      assert.deepEqual(
        await keyNames(),
        Array.from({ length: 10 }, (_, i) => `item:0${i}`),
      )
      assert.match(page.url(), /#store=default%2Ffiles&prefix=item%3A0$/)

      // A binary value: its size and hex.
      await page.getByLabel("Prefix").fill("logo")
      await page.getByRole("button", { name: "Filter" }).click()
      await page.getByRole("button", { name: "logo.bin" }).click()
      await page.locator("#entry-key", { hasText: "logo.bin" }).waitFor()
      assert.equal(await shown(page.locator("#entry-size")), "6 bytes")
      assert.equal(await shown(page.locator("#entry-note")), "binary: 6 bytes, shown as hex")
      assert.match(await shown(page.locator("#entry-value")), /^00000000 {2}89 50 4e 47 00 ff {2,}\|\.PNG\.\.\|$/)

      // Delete, with a confirmation: Cancel keeps the key, Delete removes it.
      await page.getByRole("button", { name: /^auth\/user-sessions/ }).click()
      await page.getByRole("button", { name: "session:bob" }).click()
      await page.locator("#entry-key", { hasText: "session:bob" }).waitFor()
      await page.getByRole("button", { name: "Delete…" }).click()
      const dialog = page.getByRole("dialog")
      assert.match(await shown(dialog), /Delete session:bob from auth\/user-sessions\? This cannot be undone\./)
      await dialog.getByRole("button", { name: "Cancel" }).click()
      await dialog.waitFor({ state: "hidden" })
      assert.ok(await sessions.get("session:bob"), "Cancel deletes nothing")
      await page.getByRole("button", { name: "Delete…" }).click()
      await dialog.getByRole("button", { name: "Delete" }).click()
      await page.locator("#status", { hasText: "Deleted session:bob" }).waitFor()
      assert.equal(await pane.isHidden(), true)
      assert.equal(await sessions.get("session:bob"), null, "gone from the store the app uses")
      // session:short expired only on the page's moved clock; the store still has it.
      assert.deepEqual(await keyNames(), [XSS_KEY, "session:ada", "session:short"])

      // A save restarts the app with a new token; the open page carries on.
      await writeFile(join(project.dir, "app.ts"), APP("two"))
      assert.equal(await cli.servingUrl(2), url)
      restarted = true
      await page.getByRole("button", { name: "Refresh" }).click()
      await page.getByRole("button", { name: "session:ada" }).click()
      await page.locator("#entry-key", { hasText: "session:ada" }).waitFor()
      assert.equal(await page.locator("#error").isHidden(), true)
      // One save can restart the app more than once (tsx sees an editor's write as several changes); each new token
      // is refused once, then taken.
      assert.ok(refusedAfterRestart >= 1, "the old token was refused, then the page took the new one")

      assert.deepEqual(problems, [])
    } finally {
      await browser.close()
    }
  })

  it("answers 403 to a client on another machine, and to a page reached by DNS rebinding", async (t) => {
    const port = new URL(url).port
    const rebinding = await get({
      host: "127.0.0.1",
      port,
      path: "/_layeron/",
      headers: { host: `evil.example:${port}` },
    })
    assert.equal(rebinding.status, 403)
    assert.doesNotMatch(rebinding.body, /layeron-inspector-token/)
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address !== undefined && !address.internal && address.family === "IPv4")
    if (external === undefined) return t.skip("this machine has no non-loopback IPv4 address to knock from")
    const remote = await get({
      host: external.address,
      port,
      path: "/_layeron/",
      headers: { host: `localhost:${port}` },
    })
    assert.equal(remote.status, 403)
    assert.match(remote.body, /only requests from this machine/)
    // The app itself still answers that client.
    assert.equal((await get({ host: external.address, port, path: "/", headers: {} })).status, 200)
  })
})

function get(options: { host: string; port: string; path: string; headers: Record<string, string> }) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ ...options, localAddress: options.host }, (res) => {
      let body = ""
      res.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk
      })
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on("error", reject)
    req.end()
  })
}
