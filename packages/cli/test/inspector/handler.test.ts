// The inspector's HTTP side in-process, on real stores (the memory driver)
// whose clock the test moves: routes, paging, values, errors, and who is refused.
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { type KVStore, storage } from "@layeron/modules"
import { FakeClock } from "@layeron/modules/testing"
import { TOKEN_HEADER } from "../../src/inspector/guard.ts"
import { inspectorHandler } from "../../src/inspector/handler.ts"
import { storesOfApp } from "../../src/inspector/stores.ts"

const TOKEN = "a".repeat(48)
const clock = new FakeClock(Date.UTC(2030, 0, 1))
let sessions: KVStore
let files: KVStore
let slashed: KVStore
let handle: (request: Request) => Promise<Response>

before(async () => {
  sessions = storage.kv({ name: "user-sessions", namespace: "auth", ttlSeconds: 86400, driver: "memory:", clock })
  files = storage.kv({ name: "files", driver: "memory:", clock })
  slashed = storage.kv({ name: "a/b", namespace: "x/y", driver: "memory:", clock })
  await sessions.put("session:1", JSON.stringify({ userId: "ada" }), {
    contentType: "application/json",
    metadata: { userId: "ada" },
  })
  await sessions.put("session:2", "{not json", { contentType: "application/json" })
  await sessions.put("other", "text", { ttlSeconds: 60 })
  await files.put("logo", new Uint8Array([0, 1, 2, 255, 72, 105]))
  for (let i = 0; i < 7; i++) await files.put(`item:${i}`, `value ${i}`)
  await slashed.put("k", "v")
  handle = inspectorHandler({
    // A module that keeps a store in a field (as a sessions module does) shows it too, once.
    stores: storesOfApp(() => [sessions, files, slashed, sessions, { name: "holder", store: slashed, other: 1 }]),
    token: TOKEN,
    now: () => clock.now(),
  })
})
after(async () => {
  await Promise.all([sessions.close(), files.close(), slashed.close()])
})

const HOST = "localhost:3000"

function call(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return handle(
    new Request(`http://${HOST}${path}`, {
      method: init.method ?? "GET",
      headers: { host: HOST, [TOKEN_HEADER]: TOKEN, ...init.headers },
    }),
  )
}

async function api(path: string, init?: Parameters<typeof call>[1]) {
  const response = await call(`/_layeron/api/${path}`, init)
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, response }
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString()

describe("inspector: API", () => {
  it("lists each declared store once, in order, with an id that survives a / in namespace and name", async () => {
    const { status, body } = await api("stores")
    assert.equal(status, 200)
    assert.deepEqual(body.stores, [
      { id: "auth/user-sessions", label: "auth/user-sessions", details: ["TTL 86400 s", "eventual"] },
      { id: "default/files", label: "default/files", details: ["no default TTL", "eventual"] },
      { id: "x%2Fy/a%2Fb", label: "x/y/a/b", details: ["no default TTL", "eventual"] },
    ])
    const { body: keys } = await api(`keys?${q({ store: "x%2Fy/a%2Fb" })}`)
    assert.deepEqual(
      (keys.keys as { name: string }[]).map((key) => key.name),
      ["k"],
    )
  })

  it("lists keys by prefix, a page at a time, with expiry, metadata and the store's time", async () => {
    const first = await api(`keys?${q({ store: "default/files", prefix: "item:", limit: "3" })}`)
    assert.equal(first.status, 200)
    assert.equal(first.body.now, clock.now())
    assert.deepEqual(
      (first.body.keys as { name: string }[]).map((key) => key.name),
      ["item:0", "item:1", "item:2"],
    )
    assert.equal(first.body.complete, false)
    const names: string[] = []
    let cursor = first.body.cursor as string | null
    while (cursor !== null) {
      const page = await api(`keys?${q({ store: "default/files", prefix: "item:", limit: "3", cursor })}`)
      names.push(...(page.body.keys as { name: string }[]).map((key) => key.name))
      cursor = page.body.complete ? null : (page.body.cursor as string)
    }
    assert.deepEqual(names, ["item:3", "item:4", "item:5", "item:6"])

    const { body } = await api(`keys?${q({ store: "auth/user-sessions" })}`)
    assert.deepEqual(body.keys, [
      { name: "other", expiresAt: clock.now() + 60_000, metadata: null },
      { name: "session:1", expiresAt: clock.now() + 86_400_000, metadata: { userId: "ada" } },
      { name: "session:2", expiresAt: clock.now() + 86_400_000, metadata: null },
    ])
  })

  it("shows JSON pretty-printed, text as text, and binary as size and hex", async () => {
    const json = await api(`entry?${q({ store: "auth/user-sessions", key: "session:1" })}`)
    assert.equal(json.status, 200)
    assert.deepEqual(json.body, {
      now: clock.now(),
      key: "session:1",
      contentType: "application/json",
      metadata: { userId: "ada" },
      expiresAt: clock.now() + 86_400_000,
      size: 16,
      value: { kind: "json", text: '{\n  "userId": "ada"\n}', truncated: false },
    })
    const broken = await api(`entry?${q({ store: "auth/user-sessions", key: "session:2" })}`)
    assert.deepEqual(broken.body.value, {
      kind: "text",
      text: "{not json",
      truncated: false,
      note: "not valid JSON, shown as text",
    })
    const binary = await api(`entry?${q({ store: "default/files", key: "logo" })}`)
    assert.equal(binary.body.size, 6)
    assert.equal(binary.body.contentType, "application/octet-stream")
    assert.deepEqual(binary.body.value, {
      kind: "binary",
      hex: "00000000  00 01 02 ff 48 69                                |....Hi|",
      truncated: false,
    })
  })

  it("never shows an expired entry: it is gone from the list and its entry is a 404", async () => {
    clock.advanceSeconds(61)
    const { body } = await api(`keys?${q({ store: "auth/user-sessions" })}`)
    assert.deepEqual(
      (body.keys as { name: string }[]).map((key) => key.name),
      ["session:1", "session:2"],
    )
    const gone = await api(`entry?${q({ store: "auth/user-sessions", key: "other" })}`)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.code, "INSPECTOR_NO_KEY")
  })

  it("deletes a key with DELETE, after which it is gone", async () => {
    await files.put("doomed", "x")
    const deleted = await api(`entry?${q({ store: "default/files", key: "doomed" })}`, { method: "DELETE" })
    assert.deepEqual([deleted.status, deleted.body], [200, { deleted: true }])
    assert.equal(await files.get("doomed"), null)
  })

  it("answers bad requests with a 4xx and a message, never a 500", async () => {
    const cases: [string, number, RegExp, string?][] = [
      [`keys?${q({ store: "nope/nope" })}`, 404, /declares: auth\/user-sessions, default\/files, x\/y\/a\/b/],
      ["keys", 400, /store parameter is missing/],
      [`keys?${q({ store: "default/files", limit: "0" })}`, 400, /limit must be a whole number from 1 to 1000/],
      [`keys?${q({ store: "default/files", limit: "1e3" })}`, 400, /limit/],
      [`keys?${q({ store: "default/files", limit: "1001" })}`, 400, /limit/],
      [`keys?${q({ store: "default/files", cursor: "garbage" })}`, 400, /cursor/],
      [`entry?${q({ store: "default/files" })}`, 400, /key parameter is missing/],
      [`entry?${q({ store: "default/files", key: "x".repeat(600) })}`, 404, /No such key/],
      ["nothing-here", 404, /No such inspector path/],
      ["stores", 405, /POST is not allowed/, "POST"],
      [`entry?${q({ store: "default/files", key: "logo" })}`, 405, /PUT is not allowed/, "PUT"],
    ]
    for (const [path, status, message, method] of cases) {
      const { status: got, body, response } = await api(path, { method })
      assert.equal(got, status, path)
      assert.match(String(body.error), message, path)
      if (status === 405) assert.ok(response.headers.get("allow"), path)
    }
  })
})

describe("inspector: who may use it", () => {
  it("serves the page only for a Host that names loopback, so DNS rebinding gets nothing", async () => {
    for (const host of [
      "localhost:3000",
      "127.0.0.1:3000",
      "[::1]:3000",
      "app.localhost:3000",
      "127.8.9.1",
      "LOCALHOST",
    ]) {
      const response = await handle(new Request("http://x/_layeron/", { headers: { host } }))
      assert.equal(response.status, 200, host)
    }
    for (const host of [
      "evil.example",
      "evil.example:3000",
      "localhost.evil.example",
      "127.0.0.1.nip.io",
      "10.0.0.5:3000",
      "[::2]:80",
      "localhost@evil",
      "",
    ]) {
      const response = await handle(new Request("http://x/_layeron/", { headers: { host } }))
      assert.equal(response.status, 403, host)
      assert.match(await response.text(), /answers only at a loopback address/)
    }
    assert.equal((await handle(new Request("http://x/_layeron/"))).status, 403, "no Host at all")
  })

  it("refuses what a proxy or tunnel forwarded from elsewhere, even with a loopback Host", async () => {
    const refused: Record<string, string>[] = [
      { "x-forwarded-for": "203.0.113.5" },
      { "x-forwarded-for": "127.0.0.1, 203.0.113.5" },
      { "x-forwarded-for": "" },
      { "x-real-ip": "10.1.2.3" },
      { "cf-connecting-ip": "203.0.113.5" },
      { "true-client-ip": "203.0.113.5" },
      { "x-forwarded-host": "abc.ngrok.app" },
      { "x-forwarded-host": "localhost, abc.ngrok.app" },
      { forwarded: "for=203.0.113.5;host=localhost" },
      { forwarded: 'for="[2001:db8::1]:4711"' },
      { forwarded: "for=127.0.0.1, for=198.51.100.17" },
      { forwarded: "for=unknown" },
      { forwarded: "for=127.0.0.1;host=abc.trycloudflare.com" },
    ]
    for (const headers of refused) {
      const response = await call("/_layeron/", { headers })
      assert.equal(response.status, 403, JSON.stringify(headers))
      assert.match(await response.text(), /not ones a proxy or tunnel forwarded/)
    }
    const local: Record<string, string>[] = [
      { "cf-connecting-ip": "127.0.0.1" }, // what Miniflare itself adds
      { "x-forwarded-for": "::1, 127.0.0.1" },
      { "x-forwarded-host": "localhost:3000" },
      { forwarded: 'for="[::1]:80";host=localhost:3000' },
      { forwarded: "for=127.0.0.1:5" },
    ]
    for (const headers of local) {
      assert.equal((await call("/_layeron/", { headers })).status, 200, JSON.stringify(headers))
    }
  })

  it("refuses API calls without the page's token, and anything another site sends", async () => {
    const url = `/_layeron/api/entry?${q({ store: "default/files", key: "logo" })}`
    const refused: [string, Record<string, string>, string?][] = [
      ["no token", { [TOKEN_HEADER]: "" }],
      ["wrong token", { [TOKEN_HEADER]: "b".repeat(48) }],
      ["short token", { [TOKEN_HEADER]: "a" }],
      ["cross-site Origin", { origin: "http://evil.example" }, "DELETE"],
      ["other port's Origin", { origin: "http://localhost:3001" }, "DELETE"],
      ["cross-site fetch", { "sec-fetch-site": "cross-site" }, "DELETE"],
      ["same-site fetch", { "sec-fetch-site": "same-site" }],
    ]
    for (const [what, headers, method] of refused) {
      const response = await call(url, { headers, method })
      assert.equal(response.status, 403, what)
    }
    assert.ok(await files.get("logo"), "nothing was deleted")
    const sameOrigin = await call(url, { headers: { origin: `http://${HOST}`, "sec-fetch-site": "same-origin" } })
    assert.equal(sameOrigin.status, 200)
  })

  it("sends a page that loads nothing from elsewhere, carries its token and forbids framing", async () => {
    const response = await call("/_layeron/")
    const html = await response.text()
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8")
    const csp = response.headers.get("content-security-policy") ?? ""
    assert.match(csp, /default-src 'none'/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.match(csp, /connect-src 'self'/)
    assert.equal(response.headers.get("x-frame-options"), "DENY")
    assert.equal(response.headers.get("cache-control"), "no-store")
    assert.match(html, new RegExp(`<meta name="layeron-inspector-token" content="${TOKEN}">`))
    assert.doesNotMatch(html, /\b(?:src|href)\s*=/i, "no external scripts, styles, images or links")
    assert.doesNotMatch(html, /https?:\/\//, "no absolute URL anywhere")
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1]
    assert.ok(nonce && html.includes(`<script nonce="${nonce}">`))
    const other = /script-src 'nonce-([^']+)'/.exec(
      (await call("/_layeron/")).headers.get("content-security-policy") ?? "",
    )
    assert.notEqual(other?.[1], nonce, "a fresh nonce per page")
  })

  it("redirects /_layeron to /_layeron/", async () => {
    const response = await call("/_layeron?x=1")
    assert.equal(response.status, 308)
    assert.equal(response.headers.get("location"), "/_layeron/?x=1")
  })
})
