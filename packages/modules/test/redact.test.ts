// No message Layeron writes about a storage URL shows its password: random
// passwords (any characters), random user names and random scheme typos,
// through every way a URL reaches storage.kv.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { inspect } from "node:util"
import { isKVError, kv, parseKVUrl } from "@layeron/modules"
import { redisDriver } from "@layeron/modules/drivers/redis"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import fc from "fast-check"
import { parseRedisUrl } from "../src/kv/drivers/redis/url.ts"
import { redactCredentials } from "../src/kv/redact.ts"

const RUNS = Number(process.env.FUZZ_RUNS) || 300

/** Everything an error would print: its message, its own fields and its whole cause chain. */
function written(error: unknown): string {
  return inspect(error, { depth: Number.POSITIVE_INFINITY, breakLength: Number.POSITIVE_INFINITY })
}

// Each piece of a password starts with a marker ("Pw<n>"), so a message that shows any piece of it
// (the part before a "/", after a "?", ...) is caught, not only one that shows all of it.
const MARKER = /Pw\d/
const SEPARATORS = [
  "",
  "/",
  "?",
  "#",
  "@",
  "%",
  ":",
  " ",
  "%2F",
  "%zz",
  "é",
  "😀",
  "\u2028",
  "\\",
  '"',
  "\t",
  "@@",
  "//",
]

const password = fc
  .array(fc.tuple(fc.constantFrom(...SEPARATORS), fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=-]{0,5}$/)), {
    minLength: 1,
    maxLength: 6,
  })
  .map((pieces) => pieces.map(([separator, rest], index) => `${separator}Pw${index}${rest}`).join(""))

const SCHEMES = ["redis://", "rediss://", "redis+cluster://", "rediss+cluster://"]
const TYPOS = [
  "reddis://",
  "redis:/",
  "redis//",
  "redis:",
  "redis:///",
  "rediss+clustr://",
  " redis://",
  "\tredis://",
  "REDIS://",
  "redis+cluster:/",
  "http://",
  "//",
  "",
]

/** A scheme with one character inserted, removed or replaced. */
const mistyped = fc
  .tuple(
    fc.constantFrom(...SCHEMES),
    fc.nat(),
    fc.constantFrom("insert", "remove", "replace"),
    fc.constantFrom(...":/+s d."),
  )
  .map(([scheme, at, kind, char]) => {
    const index = at % scheme.length
    if (kind === "insert") return scheme.slice(0, index) + char + scheme.slice(index)
    if (kind === "remove") return scheme.slice(0, index) + scheme.slice(index + 1)
    return scheme.slice(0, index) + char + scheme.slice(index + 1)
  })

const scheme = fc.oneof(fc.constantFrom(...SCHEMES), fc.constantFrom(...TYPOS), mistyped)
const user = fc.constantFrom("", "app", "default", "u-1", "ädmin")
const ADDRESSES = [
  "127.0.0.1:6379",
  "cache.internal",
  "[::1]:7000",
  "a:1,b:2",
  "h:1/2",
  "h:1?cache=on",
  "host:99999",
  "",
  "h:1/x",
  "h:1?x=y",
  "a b:1",
  "h:1#frag",
]
const address = fc.constantFrom(...ADDRESSES)

function assertHidden(text: string, secret: string, url: string): void {
  assert.ok(!text.includes(secret), `the password of ${JSON.stringify(url)} shows in:\n${text}`)
  assert.doesNotMatch(text, MARKER, `a piece of the password of ${JSON.stringify(url)} shows in:\n${text}`)
}

/** Runs `action`; when it throws, nothing it wrote may show `secret`. Returns whether it threw. */
async function threwHidden(action: () => unknown, secret: string, url: string): Promise<boolean> {
  try {
    await action()
    return false
  } catch (error) {
    assertHidden(written(error), secret, url)
    return true
  }
}

describe("a password in a storage URL", () => {
  it(`never shows in a message, for any password, user and scheme typo (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(scheme, user, password, address, async (prefix, name, secret, where) => {
        const url = `${prefix}${name}:${secret}@${where}`
        assertHidden(redactCredentials(url), secret, url)
        const refused = await threwHidden(() => parseKVUrl(url), secret, url)
        await threwHidden(() => parseKVUrl(url, "storage.kv(default/x) driver"), secret, url)
        const redisRefused = await threwHidden(() => parseRedisUrl(url, "redisDriver() url"), secret, url)
        if (redisRefused) await threwHidden(() => redisDriver({ url }), secret, url)
        if (refused) {
          // The store opens its driver on first use: the same refusal, naming the store.
          const store = kv({ name: "x", driver: url })
          assert.equal(await threwHidden(() => store.get("k"), secret, url), true)
          await store.close()
        }
        if (!redisRefused) {
          // Accepted: the password is whatever stood between the user and the last "@", decoded.
          const decoded = decodeOrNull(secret)
          assert.equal(parseRedisUrl(url).password, decoded, url)
        }
      }),
      { numRuns: RUNS },
    )
  })

  it("is hidden from the reports of the issue, which showed it whole or in part", () => {
    // An unencoded "/" or "?" in the password showed the part before it: such a URL now works.
    assert.equal(parseRedisUrl("redis://admin:s3cr/Pw0t@cache:6379").password, "s3cr/Pw0t")
    assert.equal(parseRedisUrl("redis://admin:s3cr?Pw0t@cache:6379").password, "s3cr?Pw0t")
    const cases = [
      "reddis://admin:Pw0@cache:6379",
      "redis:/admin:Pw0@cache:6379",
      "redis//admin:Pw0@cache:6379",
      "rediss+clustr://admin:Pw0@a:1,b:2",
      " redis://admin:Pw0@cache:6379",
      "redis://admin:Pw0@cache:99999",
      "redis://admin:Pw0@cache:6379/db1",
      "redis://admin:Pw0@cache:6379?cache=yes",
    ]
    for (const url of cases) {
      assert.throws(
        () => parseKVUrl(url),
        (error: unknown) => {
          assert.ok(isKVError(error, "KV_CONFIG_INVALID"), url)
          assert.match(error.message, /^LAYERON_KV=".*\*\*\*@cache|^LAYERON_KV=".*\*\*\*@a:1,b:2/, error.message)
          assertHidden(written(error), "Pw0", url)
          return true
        },
      )
    }
  })

  it("is accepted unencoded: the credentials end at the last @", () => {
    const config = parseRedisUrl("redis://admin:s3cr/t?#@x%25@cache:6380/2?cache=on")
    assert.equal(config.username, "admin")
    assert.equal(config.password, "s3cr/t?#@x%")
    assert.deepEqual(config.nodes, [{ host: "cache", port: 6380 }])
    assert.equal(config.db, 2)
    assert.equal(config.cache, true)
  })
})

describe("a SQLite path that looks like it holds a password", () => {
  const dir = mkdtempSync(join(tmpdir(), "layeron-redact-"))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it("is hidden when the file cannot be opened, with the cause that quotes it", async () => {
    // A regular file where a folder must go: opening fails, and the file system error quotes the path.
    const file = join(dir, "not-a-folder")
    writeFileSync(file, "")
    const path = `${file}/admin:Pw0s3cr/et@host/kv.db`
    assert.throws(
      () => sqliteDriver({ path }),
      (error: unknown) => {
        assert.ok(isKVError(error, "KV_UNAVAILABLE"), String(error))
        assert.match(error.message, /Cannot open the SQLite store at \*\*\*@host\/kv\.db/)
        assertHidden(written(error), "Pw0s3cr", path)
        return true
      },
    )
    const store = kv({ name: "x", driver: `sqlite:${path}` })
    await assert.rejects(store.get("k"), (error: unknown) => {
      assert.ok(isKVError(error, "KV_UNAVAILABLE"), String(error))
      assertHidden(written(error), "Pw0s3cr", path)
      return true
    })
    await store.close()
  })
})

function decodeOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text)
  } catch {
    return null
  }
}
