// Binary values, metadata, content types and exact expiries survive
// `layeron kv` put/get, export/import, a copy to a Redis Cluster, and the
// wrangler format read back by the Workers KV driver, through the real binary.
import assert from "node:assert/strict"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import type { KVNamespace } from "@layeron/modules/drivers/cloudflare"
import { type RedisCluster, startCluster } from "@layeron/test-support/redis-server"
import { Miniflare } from "miniflare"
import { APP, ENTRIES, exported, putEntries, type Snapshot, STORE, snapshot } from "./support/blob-entries.ts"
import { kvCli, ok } from "./support/kv-cli.ts"

const dir = mkdtempSync(join(tmpdir(), "layeron-kv-round-trip-"))
const source = `sqlite:${join(dir, "source.db")}`
let cluster: RedisCluster

before(async () => {
  cluster = await startCluster()
  await putEntries(dir, source)
})

after(async () => {
  await cluster?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe("layeron kv round trips", () => {
  let original: Snapshot

  before(async () => {
    original = await snapshot(dir, source)
  })

  it("put from a file or stdin stores the bytes, content type, metadata and TTL given", () => {
    for (const [index, entry] of ENTRIES.entries()) {
      assert.equal(original[entry.key]?.bytes, entry.file.toString("base64"), entry.key)
      assert.equal((original[entry.key]?.meta as { size: number } | undefined)?.size, entry.file.length)
      if (index === 0) {
        assert.deepEqual(original[entry.key]?.meta, {
          key: entry.key,
          contentType: "image/png",
          metadata: { w: 64, h: 64 },
          expiresAt: null,
          size: entry.file.length,
        })
      }
    }
    const bom = original["bom.json"]?.meta as { expiresAt: string; contentType: string }
    assert.equal(bom.contentType, "application/json")
    const left = Date.parse(bom.expiresAt) - Date.now()
    assert.ok(left > 3_000_000 && left <= 3_600_000, `--ttl 3600 gives an hour: ${left} ms`)
  })

  it("export then import into another SQLite file gives back every byte, content type, metadata and expiry", async () => {
    const dump = join(dir, "dump.ndjson")
    writeFileSync(dump, ok(await kvCli(["export", APP, STORE], { env: { LAYERON_KV: source } })).stdout)
    const lines = readFileSync(dump, "utf8").trimEnd().split("\n")
    assert.equal(lines.length, ENTRIES.length)
    const logo = JSON.parse(lines.find((line) => line.includes("img/logo.png")) as string)
    assert.equal(logo.base64, true, "bytes that are not UTF-8 travel as base64")
    assert.deepEqual(await exported(source), original, "the dump holds exactly what get returns")
    const target = `sqlite:${join(dir, "target.db")}`
    ok(await kvCli(["import", APP, STORE], { env: { LAYERON_KV: target }, stdinFile: dump }))
    assert.deepEqual(await exported(target), original)
  })

  it("copy to a Redis Cluster moves every declared store, entries intact", async () => {
    ok(await kvCli(["put", APP, "auth/user-sessions", "session:x", "{}"], { env: { LAYERON_KV: source } }))
    const run = ok(await kvCli(["copy", APP, "--from", source, "--to", cluster.url]))
    assert.equal(
      run.text,
      "layeron kv copy: 1 entries of auth/user-sessions\nlayeron kv copy: 5 entries of files/blobs\n",
    )
    assert.deepEqual(await exported(cluster.url), original)
  })

  it("--format wrangler writes what wrangler kv bulk put reads, and the Workers driver reads it back intact", async () => {
    const run = ok(await kvCli(["export", APP, STORE, "--format", "wrangler"], { env: { LAYERON_KV: source } }))
    const items = JSON.parse(run.text) as {
      key: string
      value: string
      base64?: boolean
      expiration?: number
      metadata: { c: string; e?: number; m?: unknown }
    }[]
    assert.equal(items.length, ENTRIES.length)
    for (const item of items) {
      const meta = original[item.key]?.meta as { expiresAt: string | null; contentType: string; metadata: unknown }
      const expiresAt = meta.expiresAt === null ? undefined : Date.parse(meta.expiresAt)
      assert.equal(item.expiration, expiresAt === undefined ? undefined : Math.ceil(expiresAt / 1000), "in seconds")
      assert.equal(item.metadata.e, expiresAt, "the exact expiry, for the store")
      assert.equal(item.metadata.c, meta.contentType)
      assert.deepEqual(item.metadata.m, meta.metadata ?? undefined)
    }
    // What `wrangler kv bulk put --local` does with each item: a put into the namespace of the binding.
    const cwd = join(dir, "workers-project")
    mkdirSync(cwd)
    const mf = new Miniflare({
      modules: true,
      script: "export default { fetch: () => new Response(null) }",
      compatibilityDate: "2026-04-26",
      kvNamespaces: { FILES_BLOBS: "FILES_BLOBS" },
      kvPersist: join(cwd, ".layeron", "cloudflare-kv"),
    })
    try {
      const kv = (await mf.getKVNamespace("FILES_BLOBS")) as unknown as KVNamespace
      for (const item of items) {
        // A plain Uint8Array: Miniflare's proxy refuses a Buffer.
        const value = new Uint8Array(Buffer.from(item.value, item.base64 ? "base64" : "utf8"))
        await kv.put(item.key, value, {
          metadata: item.metadata,
          ...(item.expiration === undefined ? {} : { expiration: item.expiration }),
        })
      }
    } finally {
      await mf.dispose()
    }
    assert.deepEqual(await exported("memory:", { target: "cloudflare", cwd }), original)
  })
})
