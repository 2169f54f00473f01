import { readFile } from "node:fs/promises"
import { UserError } from "../user-error.js"
import type { KVStoreLike } from "./store-api.js"

/** The most a value may hold (storage.kv's limit); stdin is read no further than one byte past it. */
const MAX_VALUE_BYTES = 25 * 1024 * 1024

export interface PutFlags {
  ttl: string | undefined
  contentType: string | undefined
  metadata: string | undefined
}

/**
 * Writes one entry. The value is the argument as text, `@file` for a file's
 * bytes, or `-` for stdin's; the store checks it and the options as it checks
 * any put, before anything is written.
 */
export async function putEntry(store: KVStoreLike, key: string, source: string, flags: PutFlags): Promise<void> {
  const value = await readValue(source)
  const options: { ttlSeconds?: number; contentType?: string; metadata?: unknown } = {}
  if (flags.ttl !== undefined) {
    if (!/^\d+$/.test(flags.ttl))
      throw new UserError(`--ttl takes a whole number of seconds, got ${JSON.stringify(flags.ttl)}`)
    options.ttlSeconds = Number(flags.ttl)
  }
  if (flags.contentType !== undefined) options.contentType = flags.contentType
  if (flags.metadata !== undefined) {
    try {
      options.metadata = JSON.parse(flags.metadata)
    } catch {
      throw new UserError(
        `--metadata takes JSON, such as '{"userId":"usr_100"}', got ${JSON.stringify(flags.metadata)}`,
      )
    }
  }
  await store.put(key, value, options)
}

async function readValue(source: string): Promise<string | Uint8Array> {
  if (source === "-") return readStdin()
  if (source.startsWith("@")) {
    const path = source.slice(1)
    try {
      return new Uint8Array(await readFile(path))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new UserError(`Cannot read the value from ${path}: ${code === "ENOENT" ? "no such file" : code}`)
    }
  }
  return source
}

async function readStdin(): Promise<Uint8Array> {
  if (process.stdin.isTTY)
    throw new UserError("The value - is read from stdin: pipe it in, e.g. cat value.json | layeron kv put ... -")
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    bytes += chunk.length
    if (bytes > MAX_VALUE_BYTES)
      throw new UserError(`The value on stdin is over ${MAX_VALUE_BYTES / 1024 / 1024} MiB, the most a value may hold`)
    chunks.push(chunk)
  }
  return new Uint8Array(Buffer.concat(chunks))
}
