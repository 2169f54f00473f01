// The fixture app's files/blobs store filled with every kind of value (bytes
// that are not UTF-8, text with a BOM, control characters, empty, a unicode
// key) through `layeron kv put`, and read back two ways to compare backends.
import { randomBytes } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fixture } from "../../support/cli-process.ts"
import { kvCli, ok } from "./kv-cli.ts"

export const APP = fixture("kv-stores.ts")
export const STORE = "files/blobs"

const binary = randomBytes(100_000)
binary[0] = 0xff // never valid UTF-8
const withBom = Buffer.from('\uFEFF{"bom":true}', "utf8")
const controls = Buffer.from("\u0000\u0001\u0002\n\t".repeat(50), "utf8")
export const ENTRIES: { key: string; file: Buffer; args: string[] }[] = [
  { key: "img/logo.png", file: binary, args: ["--content-type", "image/png", "--metadata", '{"w":64,"h":64}'] },
  { key: "bom.json", file: withBom, args: ["--content-type", "application/json", "--ttl", "3600"] },
  { key: "controls", file: controls, args: ["--metadata", '{"nested":{"a":[1,"two",null]}}'] },
  { key: "empty", file: Buffer.alloc(0), args: ["--ttl", "86400"] },
  { key: "ключ/🔑 with space", file: Buffer.from("unicode key"), args: [] },
]

export type Snapshot = Record<string, { bytes: string; meta: unknown }>

/** Puts every entry on `kvUrl`: one from stdin (`-`), the rest from files (`@file`) in `dir`. */
export async function putEntries(dir: string, kvUrl: string): Promise<void> {
  for (const [index, entry] of ENTRIES.entries()) {
    const file = join(dir, `value-${index}`)
    writeFileSync(file, entry.file)
    const value = index === 1 ? "-" : `@${file}`
    ok(
      await kvCli(["put", APP, STORE, entry.key, value, ...entry.args], {
        env: { LAYERON_KV: kvUrl },
        ...(index === 1 ? { stdinFile: file } : {}),
      }),
    )
  }
}

/** Each entry's bytes (`get --out` into `dir`) and content type, metadata, expiry (`get --meta`) on a backend. */
export async function snapshot(dir: string, kvUrl: string): Promise<Snapshot> {
  const found: Snapshot = {}
  for (const [index, { key }] of ENTRIES.entries()) {
    const out = join(dir, `out-${index}`)
    const env = { LAYERON_KV: kvUrl }
    ok(await kvCli(["get", APP, STORE, key, "--out", out], { env }))
    const meta = ok(await kvCli(["get", APP, STORE, key, "--meta"], { env }))
    found[key] = { bytes: readFileSync(out).toString("base64"), meta: JSON.parse(meta.text) }
  }
  return found
}

/** The same, read from one `export` of the store (one process instead of two per key). */
export async function exported(kvUrl: string, options: { target?: string; cwd?: string } = {}): Promise<Snapshot> {
  const extra = options.target === undefined ? [] : ["--target", options.target]
  const run = ok(
    await kvCli(["export", APP, STORE, ...extra], {
      env: { LAYERON_KV: kvUrl },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    }),
  )
  const found: Snapshot = {}
  for (const line of run.text.trimEnd().split("\n")) {
    const { key, value, base64, contentType, metadata, expiresAt } = JSON.parse(line)
    const bytes = base64 ? Buffer.from(value, "base64") : Buffer.from(value, "utf8")
    found[key] = {
      bytes: bytes.toString("base64"),
      meta: { key, contentType, metadata: metadata ?? null, expiresAt: expiresAt ?? null, size: bytes.length },
    }
  }
  return found
}
