import { UserError } from "../user-error.js"
import { toNdjsonLine } from "./ndjson.js"
import { Output } from "./output.js"
import { startProgress } from "./progress.js"
import { readEntries } from "./read-entries.js"
import type { KVStoreLike } from "./store-api.js"
import { storePath } from "./store-api.js"
import { toWranglerItem, WRANGLER_MIN_TTL_SECONDS } from "./wrangler.js"

export type DumpFormat = "ndjson" | "wrangler"

export function parseFormat(raw: string | undefined): DumpFormat {
  if (raw === undefined || raw === "ndjson") return "ndjson"
  if (raw === "wrangler") return "wrangler"
  throw new UserError(`--format takes ndjson (the default) or wrangler, got ${JSON.stringify(raw)}`)
}

/** Workers KV keeps at most 1024 bytes of metadata, where the driver also keeps the content type and expiry. */
const KV_METADATA_BYTES = 1024

/**
 * Writes every live entry of the store to stdout, one page in memory at a
 * time. Returns the count, or throws; either way stdout holds only whole lines
 * (NDJSON) or, for wrangler, a complete array only when the export succeeded.
 */
export async function exportStore(
  store: KVStoreLike,
  options: { prefix: string; format: DumpFormat; output?: Output },
): Promise<{ exported: number; skipped: number; readerGone: boolean }> {
  const output = options.output ?? new Output()
  const progress = await startProgress(`export ${storePath(store)}`, { knownSize: false })
  let exported = 0
  let skipped = 0
  let first = true
  try {
    if (options.format === "wrangler") await output.write("[")
    for await (const page of readEntries(store, options.prefix)) {
      let chunk = ""
      const soonest = Date.now() + WRANGLER_MIN_TTL_SECONDS * 1000
      for (const entry of page) {
        if (options.format === "ndjson") chunk += toNdjsonLine(entry)
        else if (entry.expiresAt !== null && entry.expiresAt < soonest) {
          skipped++
          continue
        } else {
          const { json, metadataBytes } = toWranglerItem(entry)
          if (metadataBytes > KV_METADATA_BYTES) {
            throw new UserError(
              `key ${JSON.stringify(entry.key)}: its metadata with content type and expiry is ${metadataBytes} bytes, over Workers KV's ${KV_METADATA_BYTES}`,
            )
          }
          chunk += `${first ? "\n" : ",\n"}${json}`
          first = false
        }
        exported++
      }
      await output.write(chunk)
      if (output.readerGone) break
      progress.update(exported)
    }
    if (options.format === "wrangler") await output.write("\n]\n")
  } finally {
    progress.stop()
  }
  return { exported, skipped, readerGone: output.readerGone }
}
