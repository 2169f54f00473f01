// The docs' session example against hostile HTTP, over real sockets: malformed
// and oversized bodies, tokens of every shape, long and garbled paths, wrong
// methods, raw socket garbage and slow clients. Every case must get a clear
// 4xx (never a 5xx), no response may carry a stack trace or an internal
// message, and a valid session must still answer 200 after each case. A
// fixture app beside it (support/body-routes.ts) reads bodies every way the
// example does not, on routes of every kind, under the same default limit.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { after, before, describe, it } from "node:test"
import { fileURLToPath } from "node:url"
import { backend, type NodeServer } from "@layeron/core"
import { createdBackends } from "@layeron/core/internal"
import { BODY_READERS, FORM_READERS, JSON_READERS, readerPath } from "@layeron/test-support/body-readers"
import fc from "fast-check"
import { bodyRoutesApp } from "./support/body-routes.ts"
import { dribble, exchange, httpRequest, type Part, type RawReply } from "./support/raw-http.ts"

const HEADERS_TIMEOUT = 300
const REQUEST_TIMEOUT = 600
/** How long past its timeout a slow client may still hold its socket (core sweeps every 300 ms here; the rest is slack for a busy machine). */
const SLOW_SLACK = 300 + 1500

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..")
const dataDir = mkdtempSync(join(tmpdir(), "layeron-hostile-"))
const serverLog: unknown[][] = []
const originalConsoleError = console.error
let server: NodeServer
let readers: NodeServer
let token = ""

before(async () => {
  process.env.LAYERON_KV = `sqlite:${join(dataDir, "kv.db")}`
  await import("../app.ts")
  const app = createdBackends().at(-1)
  assert.ok(app, "the example created an app")
  // The example logs with the console: keep what it logs, off the test output.
  console.error = (...args: unknown[]) => void serverLog.push(args)
  server = await app.listen({
    port: 0,
    hostname: "127.0.0.1",
    handleSignals: false,
    headersTimeoutMs: HEADERS_TIMEOUT,
    requestTimeoutMs: REQUEST_TIMEOUT,
  })
  readers = await bodyRoutesApp().listen({ port: 0, hostname: "127.0.0.1", handleSignals: false })
  const login = await send([post("/api/auth/login", '{"email":"ada@example.com"}')])
  assert.equal(login.status, 200, login.raw)
  token = (JSON.parse(bodyOf(login)) as { token: string }).token
})

after(async () => {
  await server?.close()
  await readers?.close()
  console.error = originalConsoleError
  rmSync(dataDir, { recursive: true, force: true })
})

function send(parts: Part[], giveUpMs?: number): Promise<RawReply> {
  return exchange(server.port, parts, { giveUpMs })
}

function bodyOf(reply: RawReply): string {
  const start = reply.raw.indexOf("\r\n\r\n")
  return start === -1 ? "" : reply.raw.slice(start + 4)
}

function post(target: string, body?: string | Buffer, headers: Record<string, string> = {}): Buffer {
  return httpRequest("POST", target, { "Content-Type": "application/json", ...headers }, body)
}

function profile(authorization?: string): Buffer {
  return httpRequest("GET", "/api/profile", authorization === undefined ? {} : { Authorization: authorization })
}

/** A string's UTF-8 bytes, one char per byte, to go into a latin1-encoded header. */
function utf8(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1")
}

// What must never reach a client: stack frames, file paths, runtime internals, error class names, storage details.
const LEAKS: readonly RegExp[] = [
  /\n\s*at \S/,
  /\bat (?:async )?[\w.$<>]+ \(/,
  /node:[a-z_]/,
  /\.[cm]?[jt]s:\d/,
  /\b[A-Z]\w*Error\b/,
  /file:\/\//,
  /SQLITE|sqlite|better-sqlite3|layeron_kv|KV_[A-Z]/,
  literally(repoRoot),
  literally(dataDir),
]

/** A pattern that matches `text` as it is. */
function literally(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
}

function assertNoLeak(reply: RawReply, label: string): void {
  for (const pattern of LEAKS) assert.doesNotMatch(reply.raw, pattern, `${label}: the response leaks ${pattern}`)
}

async function assertAlive(label: string): Promise<void> {
  const reply = await send([profile(`Bearer ${token}`)])
  assert.equal(reply.status, 200, `${label}: a valid session no longer answers 200 afterwards:\n${reply.raw}`)
}

async function assertReadersAlive(label: string): Promise<void> {
  const reply = await exchange(readers.port, [httpRequest("POST", "/post/text", {}, "alive")])
  assert.equal(reply.status, 200, `${label}: the body-readers fixture no longer answers 200 afterwards:\n${reply.raw}`)
}

interface Case {
  name: string
  /** Built when the case runs, once the valid token is known. */
  parts: () => Part[]
  /** The status expected, or the statuses allowed (all 4xx, or a 2xx the example answers on purpose). */
  expect: number | readonly number[]
  /** Sent to the body-readers fixture instead of the example. */
  toReaders?: true
  /** More to check in the reply. */
  check?: (reply: RawReply) => void
}

const counts = new Map<string, number>()

/** One test per case: the status, no leak, and the server still serves a valid session. */
function runCases(group: string, cases: Case[]): void {
  counts.set(group, cases.length)
  describe(`${group} (${cases.length} cases)`, () => {
    for (const testCase of cases) {
      it(testCase.name, async () => {
        const reply = await exchange((testCase.toReaders ? readers : server).port, testCase.parts())
        const allowed = typeof testCase.expect === "number" ? [testCase.expect] : testCase.expect
        const label = `${group}: ${testCase.name}`
        assert.ok(allowed.includes(reply.status), `${label}: got ${reply.status}, expected ${allowed}:\n${reply.raw}`)
        assert.ok(reply.status < 500, `${label}: a 5xx`)
        assertNoLeak(reply, label)
        testCase.check?.(reply)
        await assertAlive(label)
        if (testCase.toReaders) await assertReadersAlive(label)
      })
    }
  })
}

const LOGIN = "/api/auth/login"
const KiB = 1024
const MiB = 1024 * 1024

// ---------------------------------------------------------------- bodies

const loginWith = (body: string | Buffer, headers?: Record<string, string>) => () => [post(LOGIN, body, headers)]

runCases("login body: truncated JSON", [
  ...[
    "{",
    '{"email"',
    '{"email":',
    '{"email":"a@example.com"',
    '{"email":"a@example.com",',
    "[",
    '"abc',
    '{"email":"a\\',
  ].map((body) => ({ name: `body ${JSON.stringify(body)}`, parts: loginWith(body), expect: 400 })),
])

runCases("login body: invalid JSON", [
  ...[
    "hello",
    "{'email':'a@example.com'}",
    '{"email":undefined}',
    "NaN",
    '{"a":1}}',
    '{"email":"a@example.com"} trailing',
    "\u0000",
    '{"email":"x",}',
    '{email:"x"}',
    '{"email":"\u0001"}',
    "   ",
    "<xml/>",
  ].map((body) => ({ name: `body ${JSON.stringify(body)}`, parts: loginWith(body), expect: 400 })),
])

runCases("login body: invalid UTF-8", [
  ...[
    ["0xff", [0xff]],
    ["a lone continuation byte", [0x80]],
    ["an overlong slash", [0xc0, 0xaf]],
    ["a truncated 3-byte sequence", [0xe2, 0x82]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
    ["a 5-byte sequence", [0xf8, 0x88, 0x80, 0x80, 0x80]],
    ["a code point over U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ].map(([name, bytes]) => ({
    name: `${name} in the email`,
    parts: loginWith(
      Buffer.concat([Buffer.from('{"email":"'), Buffer.from(bytes as number[]), Buffer.from('@example.com"}')]),
    ),
    expect: 400,
  })),
])

runCases("login body: missing", [
  { name: "no body, no length", parts: () => [httpRequest("POST", LOGIN)], expect: 400 },
  { name: "Content-Length: 0", parts: () => [httpRequest("POST", LOGIN, { "Content-Length": "0" })], expect: 400 },
  {
    name: "an empty chunked body",
    parts: () => [httpRequest("POST", LOGIN, { "Transfer-Encoding": "chunked" }), "0\r\n\r\n"],
    expect: 400,
  },
])

const declared = (length: string) => () => [httpRequest("POST", LOGIN, { "Content-Length": length })]

runCases("login body: oversized or badly framed", [
  { name: "declares 1 MiB + 1 byte", parts: declared(String(MiB + 1)), expect: 413 },
  { name: "declares 2 GB", parts: declared(String(2 * 1024 * MiB)), expect: 413 },
  { name: "declares 2^53 + 1 bytes", parts: declared("9007199254740993"), expect: 400 },
  { name: "declares 10^20 bytes", parts: declared("99999999999999999999"), expect: 400 },
  { name: "declares -1 bytes", parts: declared("-1"), expect: 400 },
  { name: "declares abc bytes", parts: declared("abc"), expect: 400 },
  {
    name: "two different Content-Lengths",
    parts: () => [
      httpRequest("POST", LOGIN, { "Content-Length": "2" })
        .toString("latin1")
        .replace("\r\n\r\n", "\r\nContent-Length: 3\r\n\r\n"),
      "{}",
    ],
    expect: 400,
  },
  {
    name: "Content-Length with Transfer-Encoding (smuggling)",
    parts: () => [httpRequest("POST", LOGIN, { "Content-Length": "5", "Transfer-Encoding": "chunked" }), "0\r\n\r\n"],
    expect: 400,
  },
  {
    name: "Transfer-Encoding: gzip",
    parts: () => [httpRequest("POST", LOGIN, { "Transfer-Encoding": "gzip" })],
    expect: 400,
  },
  {
    name: "a malformed chunk size",
    parts: () => [httpRequest("POST", LOGIN, { "Transfer-Encoding": "chunked" }), "zz\r\n{}\r\n0\r\n\r\n"],
    expect: 400,
  },
  {
    name: "a chunked body of 1 MiB + 64 KiB",
    parts: () => {
      const chunk = `${(64 * KiB).toString(16)}\r\n${"x".repeat(64 * KiB)}\r\n`
      return [httpRequest("POST", LOGIN, { "Transfer-Encoding": "chunked" }), ...Array(17).fill(chunk), "0\r\n\r\n"]
    },
    expect: 413,
  },
])

// Valid JSON the example was not written for: never a 5xx (the example answers these 200).
runCases("login body: valid JSON of an unexpected shape", [
  ...[
    "123",
    '"x"',
    "[]",
    "true",
    "{}",
    '{"email":null}',
    '{"email":{"$ne":null}}',
    '{"email":"x","rememberMe":"yes"}',
    '{"__proto__":{"roles":["root"]},"email":"x"}',
    `{"email":"${"e".repeat(900 * KiB)}"}`,
  ].map((body) => ({
    name: `body ${JSON.stringify(body.length > 40 ? `${body.slice(0, 20)}... (${body.length} bytes)` : body)}`,
    parts: loginWith(body),
    expect: 200,
  })),
])

describe("login body: JSON null", () => {
  it("gets a 4xx", {
    todo: "the docs' example reads body.email from a null body and throws: a generic 500 (app.ts:17, not editable)",
  }, async () => {
    const reply = await send([post(LOGIN, "null")])
    assertNoLeak(reply, "JSON null")
    await assertAlive("JSON null")
    assert.ok(reply.status >= 400 && reply.status < 500, `got ${reply.status}`)
  })
})

// ---------------------------------------------------------------- every body reader, every method

// The fixture's routes: app.post, put, patch, delete and options routes, and an app.all() route for the rest.
const BODY_METHODS = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "QUERY", "SEARCH", "REPORT", "MKCOL"]
const READER_NAMES = Object.keys(BODY_READERS)

const toReader =
  (method: string, reader: string, headers: Record<string, string>, ...body: Part[]) =>
  () => [httpRequest(method, readerPath(method, reader), headers), ...body]

/** A chunked body of `size` bytes, in chunks of up to 64 KiB. */
function chunkedBody(size: number): string[] {
  const chunks: string[] = []
  for (let left = size; left > 0; left -= 64 * KiB) {
    const length = Math.min(left, 64 * KiB)
    chunks.push(`${length.toString(16)}\r\n${"x".repeat(length)}\r\n`)
  }
  return [...chunks, "0\r\n\r\n"]
}

function readSize(reply: RawReply): number {
  return (JSON.parse(bodyOf(reply)) as { size: number }).size
}

const chunked = { "Transfer-Encoding": "chunked" }

runCases(
  "body readers: a chunked body of 1 MiB + 64 KiB",
  BODY_METHODS.flatMap((method) =>
    READER_NAMES.map((reader) => ({
      name: `${method} ${reader}`,
      parts: toReader(method, reader, chunked, ...chunkedBody(MiB + 64 * KiB)),
      expect: 413,
      toReaders: true as const,
    })),
  ),
)

runCases(
  "body readers: Content-Length 3 MB",
  BODY_METHODS.flatMap((method) =>
    READER_NAMES.map((reader) => ({
      name: `${method} ${reader}`,
      parts: toReader(method, reader, { "Content-Length": String(3_000_000) }),
      expect: 413,
      toReaders: true as const,
    })),
  ),
)

// The exact limit is allowed, by each reader (a text body: form readers answer 400, JSON readers too).
runCases(
  "body readers: a chunked body of exactly 1 MiB",
  ["POST", "PROPFIND"].flatMap((method) =>
    READER_NAMES.map((reader) => {
      const parses = [...JSON_READERS, ...FORM_READERS].includes(reader)
      return {
        name: `${method} ${reader}`,
        parts: toReader(method, reader, chunked, ...chunkedBody(MiB)),
        expect: parses ? 400 : 200,
        toReaders: true as const,
        check: (reply: RawReply) => {
          if (!parses) assert.equal(readSize(reply), MiB)
        },
      }
    }),
  ),
)

runCases(
  "body readers: a small body, known and unknown length",
  BODY_METHODS.flatMap((method) =>
    READER_NAMES.flatMap((reader) => {
      const form = FORM_READERS.includes(reader)
      const body = JSON_READERS.includes(reader) ? '{"a":[1,2]}' : form ? "a=1&b=2" : "hello"
      const type = { "Content-Type": form ? "application/x-www-form-urlencoded" : "text/plain" }
      const size = form ? 2 : body.length
      const check = (reply: RawReply) => {
        const read = JSON.parse(bodyOf(reply)) as { size: number; usedBefore: boolean; usedAfter: boolean }
        assert.deepEqual(read, { size, usedBefore: false, usedAfter: !reader.startsWith("clone-") })
      }
      const known = { "Content-Length": String(body.length), ...type }
      return [
        { name: `${method} ${reader}`, parts: toReader(method, reader, known, body), expect: 200, check },
        {
          name: `${method} ${reader}, chunked`,
          parts: toReader(
            method,
            reader,
            { ...chunked, ...type },
            `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
          ),
          expect: 200,
          check,
        },
      ].map((testCase) => ({ ...testCase, toReaders: true as const }))
    }),
  ),
)

const brokenJson: [string, string | Buffer][] = [
  ["{", "{"],
  ["not json", "not json"],
  ["invalid UTF-8", Buffer.from([0x22, 0xff, 0x22])],
  ["empty", ""],
]

runCases(
  "body readers: malformed JSON",
  BODY_METHODS.flatMap((method) =>
    JSON_READERS.flatMap((reader) =>
      brokenJson.flatMap(([name, body]) => [
        {
          name: `${method} ${reader}: ${name}`,
          parts: toReader(method, reader, { "Content-Length": String(body.length) }, body),
          expect: 400,
          toReaders: true as const,
        },
        {
          name: `${method} ${reader}: ${name}, chunked`,
          parts: toReader(
            method,
            reader,
            chunked,
            ...(body.length === 0 ? [] : [`${body.length.toString(16)}\r\n`, body, "\r\n"]),
            "0\r\n\r\n",
          ),
          expect: 400,
          toReaders: true as const,
        },
      ]),
    ),
  ),
)

runCases(
  "body readers: not form data",
  BODY_METHODS.flatMap((method) =>
    FORM_READERS.flatMap((reader) =>
      [
        ["multipart garbage", "multipart/form-data; boundary=zz", "--zz\r\ngarbage"],
        ["multipart without a boundary", "multipart/form-data", "a=1"],
        ["JSON", "application/json", '{"a":1}'],
      ].map(([name, type, body]) => ({
        name: `${method} ${reader}: ${name}`,
        parts: toReader(
          method,
          reader,
          { "Content-Type": type as string, "Content-Length": String((body as string).length) },
          body as string,
        ),
        expect: 400,
        toReaders: true as const,
      })),
    ),
  ),
)

// GET and HEAD carry no body in the Fetch API: whatever is sent, the app.all() route reads nothing.
runCases(
  "body readers: GET and HEAD read no body",
  ["GET", "HEAD"].flatMap((method) => [
    ...["text", "stream", "clone-arrayBuffer"].map((reader) => ({
      name: `${method} ${reader}`,
      parts: toReader(method, reader, { "Content-Length": "5" }, "hello"),
      expect: 200,
      toReaders: true as const,
      check: (reply: RawReply) => {
        if (method === "GET") assert.equal(readSize(reply), 0)
      },
    })),
    ...JSON_READERS.map((reader) => ({
      name: `${method} ${reader}: empty JSON`,
      parts: toReader(method, reader, { "Content-Length": "1" }, "{"),
      expect: 400,
      toReaders: true as const,
    })),
  ]),
)

// ---------------------------------------------------------------- tokens

const bearer = (value: string, expect: number | readonly number[] = 401): Case => ({
  name: `Bearer ${JSON.stringify(value.length > 24 ? `${value.slice(0, 12)}... (${value.length} chars)` : value)}`,
  parts: () => [profile(`Bearer ${value}`)],
  expect,
})

runCases("bearer tokens: lengths 0 to 10,000", [
  ...[0, 1, 2, 35, 36, 37, 64, 128, 255, 256, 503, 504, 505, 512, 1000, 4096, 8000, 10_000].map((length) => ({
    ...bearer("a".repeat(length)),
    name: `${length} characters`,
  })),
])

runCases("bearer tokens: dots, separators, injection", [
  ...[
    ".",
    "..",
    "/",
    "../..",
    "./",
    "session:x",
    "*",
    "?",
    "#",
    "%",
    "%00",
    "%2e%2e",
    "%2F",
    "%2e",
    "%C3%A4",
    "%zz",
    "a%20b",
    "' OR '1'='1",
    '"; DROP TABLE layeron_kv; --',
    "{tag}",
    "\\",
    "$",
    "a\tb",
  ].map((value) => bearer(value)),
])

runCases("bearer tokens: unicode and raw bytes", [
  { ...bearer(utf8("ä")), name: "ä as UTF-8 bytes" },
  { ...bearer(utf8("😀")), name: "an emoji as UTF-8 bytes" },
  { ...bearer(utf8("\u202e")), name: "a right-to-left override" },
  { ...bearer(utf8("\ufeff")), name: "a byte order mark" },
  { ...bearer(utf8("日本語".repeat(100))), name: "900 bytes of CJK" },
  { ...bearer(utf8("ä".repeat(5000))), name: "5,000 x ä (10,000 bytes)" },
  { ...bearer(utf8("ä".repeat(10_000)), 431), name: "10,000 x ä (20,000 bytes: headers too large)" },
  { ...bearer("\xff\xfe"), name: "latin1 bytes 0xff 0xfe" },
])

runCases("bearer tokens: NUL and control characters", [
  { ...bearer("a\u0000b", 400), name: "NUL inside" },
  { ...bearer("\u0000", 400), name: "NUL alone" },
  { ...bearer("\u0000".repeat(10_000), 400), name: "10,000 NULs" },
  { ...bearer("a\rb", 400), name: "CR inside" },
  { ...bearer("a\nb", 400), name: "LF inside (header injection)" },
  { ...bearer("a\u007fb", [400, 401]), name: "DEL inside" },
])

runCases("bearer tokens: schemes and near-misses of a real token", [
  { name: "no Authorization header", parts: () => [profile()], expect: 401 },
  { name: '"Bearer" with no token', parts: () => [profile("Bearer")], expect: 401 },
  { name: "lower-case scheme", parts: () => [profile(`bearer ${token}`)], expect: 401 },
  { name: "Basic scheme", parts: () => [profile(`Basic ${token}`)], expect: 401 },
  { name: "two spaces before the token", parts: () => [profile(`Bearer  ${token}`)], expect: 401 },
  { name: "the token upper-cased", parts: () => [profile(`Bearer ${token.toUpperCase()}`)], expect: 401 },
  { name: "the token plus one character", parts: () => [profile(`Bearer ${token}0`)], expect: 401 },
  { name: "the token minus its last character", parts: () => [profile(`Bearer ${token.slice(0, -1)}`)], expect: 401 },
  {
    name: "the token percent-encoded",
    parts: () => [profile(`Bearer ${[...token].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("")}`)],
    expect: 401,
  },
  { name: "the token with a NUL appended", parts: () => [profile(`Bearer ${token}\u0000`)], expect: 400 },
  {
    name: "two Authorization headers",
    parts: () => [
      httpRequest("GET", "/api/profile", { Authorization: "Bearer junk" })
        .toString("latin1")
        .replace("\r\n\r\n", `\r\nAuthorization: Bearer ${token}\r\n\r\n`),
    ],
    expect: 401,
  },
])

// Random printable tokens of 0 to 10,000 characters, from a fixed seed so a failure replays.
const randomTokens = fc.sample(fc.string({ unit: "grapheme-ascii", maxLength: 10_000 }), { numRuns: 20, seed: 6 })
runCases("bearer tokens: random printable", [
  ...randomTokens.map((value, index) => ({
    ...bearer(value.trim()),
    name: `random #${index} (${value.length} chars)`,
  })),
])

// Logout answers 200 whatever the token (the example's design); hostile tokens must not end another session.
runCases("logout with hostile tokens", [
  ...[".", "..", "a".repeat(10_000), "%00", utf8("😀"), "session:*", `${"x".repeat(36)}`].map((value) => ({
    name: `logout Bearer ${JSON.stringify(value.length > 24 ? `${value.slice(0, 12)}... (${value.length})` : value)}`,
    parts: () => [httpRequest("POST", "/api/auth/logout", { Authorization: `Bearer ${value}` })],
    expect: 200,
  })),
])

// ---------------------------------------------------------------- paths and methods

const get = (target: string) => () => [httpRequest("GET", target)]

runCases("paths: very long", [
  { name: "8 KiB", parts: get(`/${"a".repeat(8 * KiB)}`), expect: 404 },
  { name: "15 KiB", parts: get(`/${"a".repeat(15 * KiB)}`), expect: 404 },
  { name: "8 KiB under /api/profile/", parts: get(`/api/profile/${"a".repeat(8 * KiB)}`), expect: 404 },
  { name: "17 KiB (headers too large)", parts: get(`/${"a".repeat(17 * KiB)}`), expect: 431 },
  { name: "100 KiB", parts: get(`/${"a".repeat(100 * KiB)}`), expect: 431 },
  { name: "1 MiB", parts: get(`/${"a".repeat(MiB)}`), expect: 431 },
  { name: "8 KiB of %2F", parts: get(`/${"%2F".repeat(2730)}`), expect: 404 },
  { name: "4,000 slashes", parts: get("/".repeat(4000)), expect: 404 },
])

runCases("paths: percent garbage and odd forms", [
  ...[
    "/api/%",
    "/api/%%",
    "/api/%zz",
    "/api/profile%",
    "/api/profile%00",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/api/auth/login/..%2f..%2f",
    "/api%2Fprofile",
    "/api/%C0%AF",
    "/api/%ff%fe",
    "/%E0%A4%A",
    "/api/profile;jsessionid=x",
    "//api//profile",
    "/api/profile/",
    "/API/PROFILE",
  ].map((target) => ({ name: target, parts: get(target), expect: 404 })),
  { name: "/api/../api/profile (resolved)", parts: get("/api/../api/profile"), expect: 401 },
  { name: "/api/profile#fragment (the fragment is not routed)", parts: get("/api/profile#fragment"), expect: 401 },
  { name: "/api/profile?%zz=% (query garbage)", parts: get("/api/profile?%zz=%"), expect: 401 },
  { name: `/api/profile?${"%".repeat(8)}...`, parts: get(`/api/profile?${"%".repeat(4000)}`), expect: 401 },
  { name: "absolute form", parts: get("http://evil.example/api/profile"), expect: 401 },
  { name: "no leading slash", parts: get("api/profile"), expect: 400 },
  { name: "* as the target of a GET", parts: get("*"), expect: 400 },
  { name: "raw UTF-8 in the path", parts: get(`/api/${utf8("ä")}`), expect: 400 },
  { name: "a space in the path", parts: () => ["GET /api/pro file HTTP/1.1\r\nHost: x\r\n\r\n"], expect: 400 },
  { name: "a NUL in the path", parts: () => ["GET /api/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n"], expect: 400 },
])

const call = (method: string, target: string) => () => [httpRequest(method, target)]

runCases("methods: wrong for the route", [
  ...["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"].map((method) => ({
    name: `${method} /api/auth/login`,
    parts: call(method, LOGIN),
    expect: 405,
  })),
  ...["POST", "PUT", "PATCH", "DELETE", "OPTIONS"].map((method) => ({
    name: `${method} /api/profile`,
    parts: call(method, "/api/profile"),
    expect: 405,
  })),
  { name: "GET /api/auth/logout", parts: call("GET", "/api/auth/logout"), expect: 405 },
  { name: "PROPFIND /api/profile", parts: call("PROPFIND", "/api/profile"), expect: 405 },
  { name: "TRACE /api/profile", parts: call("TRACE", "/api/profile"), expect: 405 },
  { name: "CONNECT /api/profile", parts: call("CONNECT", "/api/profile"), expect: 405 },
  { name: "CONNECT example.com:443", parts: call("CONNECT", "example.com:443"), expect: 405 },
  { name: "an unknown method FOO", parts: call("FOO", "/api/profile"), expect: 400 },
  { name: "a lower-case get", parts: call("get", "/api/profile"), expect: 400 },
  { name: "OPTIONS *", parts: call("OPTIONS", "*"), expect: [400, 404] },
])

// ---------------------------------------------------------------- raw socket garbage

const line = (text: string) => () => [Buffer.from(text, "latin1")]
const randomGarbage = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 512 }), { numRuns: 20, seed: 6 })

runCases("raw socket garbage", [
  ...randomGarbage.map((bytes, index) => ({
    name: `random bytes #${index} (${bytes.length} bytes)`,
    parts: () => [Buffer.from(bytes)],
    // Bytes that happen to start like a request line wait for more, and time out.
    expect: [400, 408],
  })),
  { name: "a TLS ClientHello", parts: line("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), expect: 400 },
  { name: "the HTTP/2 preface", parts: line("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), expect: 400 },
  { name: "an SSH banner", parts: line("SSH-2.0-OpenSSH_9.6\r\n"), expect: 400 },
  { name: "1 KiB of NULs", parts: () => [Buffer.alloc(KiB)], expect: 400 },
  { name: "HTTP/0.9: GET / and a blank line", parts: line("GET /\r\n\r\n"), expect: 400 },
  { name: "HTTP/9.9", parts: line("GET /api/profile HTTP/9.9\r\nHost: x\r\n\r\n"), expect: 400 },
  { name: "HTTP/1.2", parts: line("GET /api/profile HTTP/1.2\r\nHost: x\r\n\r\n"), expect: 400 },
  { name: "LF-only line ends", parts: line("GET /api/profile HTTP/1.1\nHost: x\n\n"), expect: 400 },
  {
    name: "a header without a colon",
    parts: line("GET /api/profile HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"),
    expect: 400,
  },
  { name: "a space before the colon", parts: line("GET /api/profile HTTP/1.1\r\nHost : x\r\n\r\n"), expect: 400 },
  { name: "an obs-fold line", parts: line("GET /api/profile HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"), expect: 400 },
  {
    name: "one 20 KiB header",
    parts: line(`GET /api/profile HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20 * KiB)}\r\n\r\n`),
    expect: 431,
  },
  {
    name: "3,000 headers",
    parts: line(`GET /api/profile HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${"X-A: 1\r\n".repeat(3000)}\r\n`),
    // Node.js keeps the first 2,000 headers and drops the rest.
    expect: [401, 431],
  },
  { name: "HTTP/1.1 without Host", parts: line("GET /api/profile HTTP/1.1\r\nConnection: close\r\n\r\n"), expect: 400 },
  { name: "HTTP/1.0 without Host", parts: line("GET /api/profile HTTP/1.0\r\n\r\n"), expect: 400 },
  ...["", "a b", "[::1", "x:99999", "x/evil", "\xff\xfe", "x@y"].map((host) => ({
    name: `Host: ${JSON.stringify(host)}`,
    parts: line(`GET /api/profile HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
    expect: [400, 401],
  })),
  {
    name: "two Host headers",
    parts: line("GET /api/profile HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n"),
    expect: [400, 401],
  },
  {
    name: "an Upgrade: websocket request",
    parts: () => [
      httpRequest("GET", "/api/profile", {
        Connection: "Upgrade, close",
        Upgrade: "websocket",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
      }),
    ],
    expect: [400, 401, 426],
  },
  {
    name: "Expect: something-else",
    parts: () => [post(LOGIN, '{"email":"x"}', { Expect: "something-else" })],
    expect: 417,
  },
])

// ---------------------------------------------------------------- slow clients

const head = (target: string, headers: Record<string, string>) =>
  httpRequest("POST", target, headers).toString("latin1")

interface SlowCase {
  name: string
  parts: () => Part[]
  /** Which timeout must end it. */
  timeout: number
  /** The statuses expected, in order (a keep-alive connection answers once before stalling). */
  statuses: number[]
}

const slowCases: SlowCase[] = [
  { name: "connects and sends nothing", parts: () => [], timeout: HEADERS_TIMEOUT, statuses: [408] },
  {
    name: "dribbles its headers a byte every 40 ms (slowloris)",
    parts: () => dribble(profile(`Bearer ${token}`), 40),
    timeout: HEADERS_TIMEOUT,
    statuses: [408],
  },
  { name: "half a request line", parts: line("GET /api/prof"), timeout: HEADERS_TIMEOUT, statuses: [408] },
  { name: "HTTP/0.9: GET / alone", parts: line("GET /\r\n"), timeout: HEADERS_TIMEOUT, statuses: [408] },
  { name: "only blank lines", parts: line("\r\n\r\n\r\n"), timeout: HEADERS_TIMEOUT, statuses: [408] },
  {
    name: "headers without their blank line",
    parts: line("GET /api/profile HTTP/1.1\r\nHost: x\r\n"),
    timeout: HEADERS_TIMEOUT,
    statuses: [408],
  },
  {
    name: "declares 1,000 bytes of body and dribbles them",
    parts: () => [head(LOGIN, { "Content-Length": "1000" }), ...dribble("x".repeat(1000), 40)],
    timeout: REQUEST_TIMEOUT,
    statuses: [408],
  },
  {
    name: "declares 1,000 bytes of body and sends 10",
    parts: () => [head(LOGIN, { "Content-Length": "1000" }), '{"email":"'],
    timeout: REQUEST_TIMEOUT,
    statuses: [408],
  },
  {
    name: "dribbles a chunked body",
    parts: () => [head(LOGIN, { "Transfer-Encoding": "chunked" }), ...dribble("1\r\nx\r\n".repeat(200), 40)],
    timeout: REQUEST_TIMEOUT,
    statuses: [408],
  },
  {
    name: "a keep-alive connection that stalls in its second request",
    parts: () => [
      httpRequest("GET", "/api/profile", { Connection: "keep-alive", Authorization: `Bearer ${token}` }),
      ...dribble("GET /api/profile HTTP/1.1\r\nHost: x\r\n", 40),
    ],
    timeout: HEADERS_TIMEOUT,
    statuses: [200, 408],
  },
]

describe(`slow clients (${slowCases.length} cases, run at once)`, { concurrency: true }, () => {
  counts.set("slow clients", slowCases.length)
  for (const slow of slowCases) {
    it(`${slow.name}: 408 within its timeout (${slow.timeout} ms)`, async () => {
      const reply = await send(slow.parts(), 10_000)
      assert.deepEqual(reply.statuses, slow.statuses, reply.raw)
      assert.ok(
        reply.closedAfterMs < slow.timeout + SLOW_SLACK,
        `the server held the socket for ${Math.round(reply.closedAfterMs)} ms`,
      )
      assertNoLeak(reply, slow.name)
      await assertAlive(slow.name)
    })
  }
})

describe("many slow clients at once", () => {
  it("200 slowloris sockets are all cut off by the header timeout, and a normal request is served meanwhile", async () => {
    counts.set("slowloris crowd", 1)
    const crowd = Array.from({ length: 200 }, () => send(dribble(profile(`Bearer ${token}`), 40), 10_000))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = performance.now()
    await assertAlive("during the attack")
    assert.ok(performance.now() - started < 1000, "a normal request waited behind the slow ones")
    const replies = await Promise.all(crowd)
    for (const reply of replies) {
      assert.equal(reply.status, 408)
      assert.ok(reply.closedAfterMs < HEADERS_TIMEOUT + SLOW_SLACK, `held for ${Math.round(reply.closedAfterMs)} ms`)
    }
    const open = await new Promise<number>((resolve, reject) =>
      server.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    )
    assert.equal(open, 0, "every socket is free again")
  })
})

describe("timeouts by default", () => {
  it("bound headers to 10 s and whole requests to 30 s, enforced every second, not every 30 s", async () => {
    const app = backend({ logger: { info() {}, error() {} } })
    const plain = await app.listen({ port: 0, hostname: "127.0.0.1", handleSignals: false })
    try {
      const http = plain.server as typeof plain.server & { connectionsCheckingInterval?: number }
      assert.equal(http.headersTimeout, 10_000)
      assert.equal(http.requestTimeout, 30_000)
      assert.equal(http.connectionsCheckingInterval, 1000)
      assert.equal(http.keepAliveTimeout, 5000, "an idle keep-alive socket is closed after 5 s")
    } finally {
      await plain.close()
    }
  })
})

describe("summary", () => {
  it("every hostile case got a 4xx or its expected answer, and the server lived", () => {
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0)
    const lines = [...counts].map(([group, count]) => `${group}: ${count}`)
    console.log(`hostile HTTP cases: ${total}\n  ${lines.join("\n  ")}\nserver log entries: ${serverLog.length}`)
    assert.ok(total > 200)
  })
})
