import { writeFile } from "node:fs/promises"
import { UserError } from "../user-error.js"
import { Output } from "./output.js"
import type { KVStoreLike } from "./store-api.js"
import { storePath } from "./store-api.js"

const strictUtf8 = new TextDecoder("utf-8", { fatal: true })

function isText(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes)
    return true
  } catch {
    return false
  }
}

/**
 * Prints an entry's value as it is stored, byte for byte; with `out`, writes
 * it to that file instead (a binary value on a terminal must go there); with
 * `meta`, prints its content type, metadata, expiry and size as JSON.
 */
export async function getEntry(
  store: KVStoreLike,
  key: string,
  options: { out: string | undefined; meta: boolean },
): Promise<void> {
  const handle = await store.get(key)
  if (handle === null) throw new UserError(`No key ${JSON.stringify(key)} in ${storePath(store)} (missing or expired)`)
  const bytes = await handle.bytes()
  const output = new Output()
  if (options.out !== undefined) {
    await writeFile(options.out, bytes)
    if (!options.meta) console.error(`layeron kv get: wrote ${bytes.byteLength} bytes to ${options.out}`)
  }
  if (options.meta) {
    const meta = {
      key,
      contentType: handle.contentType,
      metadata: handle.metadata,
      expiresAt: handle.expiresAt?.toISOString() ?? null,
      size: bytes.byteLength,
    }
    await output.write(`${JSON.stringify(meta, null, 2)}\n`)
    return
  }
  if (options.out !== undefined) return
  if (process.stdout.isTTY && !isText(bytes)) {
    throw new UserError(
      `The value of ${JSON.stringify(key)} is binary (${bytes.byteLength} bytes, ${handle.contentType}); write it to a file with --out FILE`,
    )
  }
  await output.write(bytes)
}
