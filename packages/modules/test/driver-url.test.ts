// LAYERON_KV: which driver a store opens, and what a wrong value says; a
// store used on its own opens its driver on first use and closes it.
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { DEFAULT_KV_URL, KVError, kv, parseKVUrl } from "@layeron/modules"
import { memoryDriver } from "@layeron/modules/drivers/memory"
import { type DriverSpec, openDriver, parseKVUrl as parseWith, registerUrlScheme } from "../src/kv/driver-url.ts"

const dir = mkdtempSync(join(tmpdir(), "layeron-url-"))
after(() => rmSync(dir, { recursive: true, force: true }))

/** Runs `body` with LAYERON_KV set to `value` (or unset), then puts it back. */
async function withLayeronKV(value: string | undefined, body: () => Promise<void>): Promise<void> {
  const saved = process.env.LAYERON_KV
  if (value === undefined) delete process.env.LAYERON_KV
  else process.env.LAYERON_KV = value
  try {
    await body()
  } finally {
    if (saved === undefined) delete process.env.LAYERON_KV
    else process.env.LAYERON_KV = saved
  }
}

function isConfigError(source: string) {
  return (error: unknown) => {
    assert.ok(error instanceof KVError)
    assert.equal(error.code, "KV_CONFIG_INVALID")
    assert.ok(error.message.startsWith(`${source}=`), error.message)
    assert.match(error.message, /sqlite:<path>/)
    assert.match(error.message, /memory:/)
    assert.doesNotMatch(error.message, /\n/, "one line")
    return true
  }
}

describe("LAYERON_KV", () => {
  it("reads sqlite:<path> and memory:", () => {
    assert.deepEqual(parseKVUrl("sqlite:./data/kv.db"), { kind: "sqlite", path: "./data/kv.db" })
    assert.deepEqual(parseKVUrl("sqlite:/var/lib/app/kv.db"), { kind: "sqlite", path: "/var/lib/app/kv.db" })
    assert.deepEqual(parseKVUrl("sqlite:kv.db"), { kind: "sqlite", path: "kv.db" })
    assert.deepEqual(parseKVUrl("sqlite::memory:"), { kind: "sqlite", path: ":memory:" })
    assert.deepEqual(parseKVUrl("memory:"), { kind: "memory" })
    assert.equal(DEFAULT_KV_URL, "sqlite:./.layeron/kv.db")
  })

  it("refuses anything else in one line naming the variable and the accepted forms", () => {
    const bad = ["", " ", "foo", "sqlite:", "memory:x", "memory", "mysql://localhost/db", "SQLITE:./kv.db", "sqlite"]
    for (const value of bad) assert.throws(() => parseKVUrl(value), isConfigError("LAYERON_KV"), JSON.stringify(value))
  })

  it("uses the embedded SQLite file ./.layeron/kv.db when LAYERON_KV is unset or empty", async () => {
    const cwd = process.cwd()
    const project = mkdtempSync(join(dir, "project-"))
    process.chdir(project)
    try {
      for (const value of [undefined, ""]) {
        await withLayeronKV(value, async () => {
          const store = kv({ name: "default" })
          await store.put("k", String(value))
          await store.close()
        })
      }
      assert.ok(existsSync(join(project, ".layeron", "kv.db")), "the file is where the docs say")
      await withLayeronKV(`sqlite:${join(project, ".layeron", "kv.db")}`, async () => {
        const store = kv({ name: "default" })
        assert.equal(await (await store.get("k"))?.text(), "", "both wrote the same file")
        await store.close()
      })
    } finally {
      process.chdir(cwd)
    }
  })

  it("opens the driver LAYERON_KV names on first use of a store on its own, and close() releases it", async () => {
    const path = join(dir, "nested", "deeper", "kv.db")
    await withLayeronKV(`sqlite:${path}`, async () => {
      const store = kv({ name: "standalone" })
      assert.equal(existsSync(path), false, "nothing is opened before the first use")
      await store.put("k", "v")
      assert.ok(existsSync(path), "the first use created the file and its folders")
      assert.equal(await (await store.get("k"))?.text(), "v")
      await store.close()
      await store.close()
      const again = kv({ name: "standalone" })
      assert.equal(await (await again.get("k"))?.text(), "v", "the file kept it")
      await again.close()
      assert.equal(await (await store.get("k"))?.text(), "v", "a closed store opens again on its next use")
      await store.close()
    })
  })

  it("closes a shared driver when its last store closes", async () => {
    const a = kv({ name: "a", driver: "memory:" })
    const b = kv({ name: "b", driver: "memory:" })
    await a.put("k", "from a")
    await b.put("k", "from b")
    assert.equal(await (await b.get("k"))?.text(), "from b", "each store sees only its own keys")
    await a.close()
    const aAgain = kv({ name: "a", driver: "memory:" })
    assert.equal(await (await aAgain.get("k"))?.text(), "from a", "b still held the shared driver open")
    await aAgain.close()
    await b.close()
    const afterAll = kv({ name: "a", driver: "memory:" })
    assert.equal(await afterAll.get("k"), null, "the last close closed it: a new memory driver starts empty")
    await afterAll.close()
  })

  it("reopens cleanly after a close() that raced with the first use", async () => {
    const store = kv({ name: "race", driver: "memory:" })
    const firstRead = store.get("k") // starts opening the driver
    await store.close() // releases it before the opening finished
    assert.equal(await firstRead, null)
    await store.put("k", "v")
    const other = kv({ name: "race", driver: "memory:" })
    assert.equal(await (await other.get("k"))?.text(), "v", "the put went to the live shared driver")
    await store.close()
    await other.close()
  })

  it("fails the first operation with the one-line error when LAYERON_KV is wrong", async () => {
    await withLayeronKV("nonsense", async () => {
      const store = kv({ name: "misconfigured" })
      await assert.rejects(store.get("k"), isConfigError("LAYERON_KV"))
      await assert.rejects(store.put("k", "v"), isConfigError("LAYERON_KV"), "and every operation after it")
    })
  })

  it("names the store when its own driver option is wrong", async () => {
    const store = kv({ name: "sessions", namespace: "auth", driver: "sqlite:" })
    await assert.rejects(store.has("k"), isConfigError("storage.kv(auth/sessions) driver"))
  })

  it("lets a store's driver option win over LAYERON_KV", async () => {
    await withLayeronKV("nonsense", async () => {
      const store = kv({ name: "own", driver: `sqlite:${join(dir, "own.db")}` })
      await store.put("k", "v")
      assert.equal(await (await store.get("k"))?.text(), "v")
      await store.close()
    })
  })
})

it("refuses a store name or namespace that is not valid Unicode, as a KVError", () => {
  for (const options of [{ name: "a\uD800" }, { name: "ok", namespace: "\uDC00" }]) {
    assert.throws(() => kv(options), { name: "KVError", code: "KV_OPTIONS_INVALID" })
  }
})

// The source module, not the package: a registry of its own, with none of the built-in schemes in it.
describe("a driver's URL scheme", () => {
  interface TestSpec extends DriverSpec {
    readonly kind: "test"
    readonly name: string
  }
  const opened: TestSpec[] = []
  registerUrlScheme<TestSpec>({
    kind: "test",
    forms: "test:<name>",
    parse: (url) => (url.startsWith("test:") ? { kind: "test", name: url.slice(5) } : null),
    async open(spec) {
      opened.push(spec)
      return memoryDriver()
    },
  })

  it("reads the URLs its driver registered, and opens them through it", async () => {
    const spec = parseWith("test:a")
    assert.deepEqual(spec, { kind: "test", name: "a" })
    const driver = await openDriver(spec, { now: () => 0 })
    assert.equal(driver.name, "memory")
    assert.deepEqual(opened, [spec])
    await driver.close()
  })

  it("lists the registered forms when no scheme reads the URL, and refuses a second scheme for a driver", () => {
    assert.throws(() => parseWith("memory:"), /^KVError: LAYERON_KV="memory:" is not a storage URL; use test:<name>$/)
    assert.throws(
      () => registerUrlScheme({ kind: "test", forms: "", parse: () => null, open: memoryDriver as never }),
      {
        message: /registered already/,
      },
    )
  })
})
