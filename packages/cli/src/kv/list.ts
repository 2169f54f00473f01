import { UserError } from "../user-error.js"
import { Output } from "./output.js"
import type { KVStoreLike, ListedKey } from "./store-api.js"

const PAGE = 1000

export function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new UserError(`--limit takes a whole number of keys, at least 1, got ${JSON.stringify(raw)}`)
  return Number(raw)
}

/**
 * Prints the store's live keys in UTF-8 byte order, page by page: one a line
 * (with its expiry and metadata when it has them), or with `json` a JSON
 * array of `{ name, expiresAt, metadata }` for scripts.
 */
export async function listKeys(
  store: KVStoreLike,
  options: { prefix: string; limit: number | undefined; json: boolean; output?: Output },
): Promise<number> {
  const output = options.output ?? new Output()
  let listed = 0
  let cursor: string | undefined
  if (options.json) await output.write("[")
  for (;;) {
    const want = options.limit === undefined ? PAGE : Math.min(PAGE, options.limit - listed)
    const page = await store.list({ prefix: options.prefix, limit: want, ...(cursor === undefined ? {} : { cursor }) })
    let text = ""
    for (const key of page.keys) {
      text += options.json ? `${listed === 0 ? "\n" : ",\n"}${JSON.stringify(jsonKey(key))}` : `${textLine(key)}\n`
      listed++
    }
    await output.write(text)
    if (page.complete || page.cursor === undefined || listed === options.limit || output.readerGone) break
    cursor = page.cursor
  }
  if (options.json) await output.write(listed === 0 ? "]\n" : "\n]\n")
  return listed
}

function jsonKey(key: ListedKey) {
  return { name: key.name, expiresAt: key.expiresAt?.toISOString() ?? null, metadata: key.metadata }
}

// A key with a control character (a newline would split it) is shown as a JSON string.
function hasControl(name: string): boolean {
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

function textLine(key: ListedKey): string {
  const name = hasControl(key.name) ? JSON.stringify(key.name) : key.name
  const parts = [name]
  if (key.expiresAt !== null) parts.push(`expires ${key.expiresAt.toISOString()}`)
  if (key.metadata !== null) parts.push(`metadata ${JSON.stringify(key.metadata)}`)
  return parts.join("\t")
}
