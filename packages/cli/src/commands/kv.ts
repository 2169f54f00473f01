import { parseArgs } from "node:util"
import { copyStore } from "../kv/copy.js"
import { exportStore, parseFormat } from "../kv/export.js"
import { getEntry } from "../kv/get.js"
import { importStore } from "../kv/import.js"
import { listKeys, parseLimit } from "../kv/list.js"
import { putEntry } from "../kv/put.js"
import { type KVStoreLike, storePath } from "../kv/store-api.js"
import { type Backend, declaredStores, findStore, openStores } from "../kv/stores.js"
import { resolveEntry } from "../load-app.js"
import { UserError } from "../user-error.js"

export const KV_USAGE = `  layeron kv list   <entry> <namespace/name> [--prefix P] [--limit N] [--json]
  layeron kv get    <entry> <namespace/name> <key> [--out FILE] [--meta]
  layeron kv put    <entry> <namespace/name> <key> <value | @file | -> [--ttl S] [--content-type T] [--metadata JSON]
  layeron kv delete <entry> <namespace/name> <key>
  layeron kv export <entry> <namespace/name> [--prefix P] [--format ndjson|wrangler] > dump
  layeron kv import <entry> <namespace/name> < dump
  layeron kv copy   <entry> --from <LAYERON_KV url> --to <LAYERON_KV url>
                                                   the stores the entry declares, on LAYERON_KV, or with
                                                   --target cloudflare the local state of layeron dev --target cloudflare`

/** Each subcommand: its positionals after the entry, and the options it takes. */
const SUBCOMMANDS = {
  list: { args: ["store"], options: ["prefix", "limit", "json", "target"] },
  get: { args: ["store", "key"], options: ["out", "meta", "target"] },
  put: { args: ["store", "key", "value"], options: ["ttl", "content-type", "metadata", "target"] },
  delete: { args: ["store", "key"], options: ["target"] },
  export: { args: ["store"], options: ["prefix", "format", "target"] },
  import: { args: ["store"], options: ["target"] },
  copy: { args: [], options: ["from", "to"] },
} as const

type Subcommand = keyof typeof SUBCOMMANDS

const OPTIONS = {
  prefix: { type: "string" },
  limit: { type: "string" },
  json: { type: "boolean" },
  target: { type: "string" },
  out: { type: "string" },
  meta: { type: "boolean" },
  ttl: { type: "string" },
  "content-type": { type: "string" },
  metadata: { type: "string" },
  format: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
} as const

/** `layeron kv <subcommand> <entry> ...`: operate on a store the entry declares, from the terminal. */
export async function kv(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || !(name in SUBCOMMANDS)) {
    const given = name === undefined ? "" : ` ${JSON.stringify(name)}`
    throw new UserError(`layeron kv takes list, get, put, delete, export, import or copy, not${given || " nothing"}`)
  }
  const subcommand = name as Subcommand
  const { values, positionals } = parse(subcommand, rest)
  const spec = SUBCOMMANDS[subcommand]
  const [entry, ...args] = positionals
  if (entry === undefined) throw new UserError(`Name the app's entry file, e.g. layeron kv ${subcommand} app.ts`)
  // "-" is a value (stdin), never taken for an option.
  if (args.length > spec.args.length)
    throw new UserError(`Unexpected argument ${JSON.stringify(args[spec.args.length])} for layeron kv ${subcommand}`)
  const stores = await declaredStores(entry, `kv ${subcommand}`)
  try {
    if (subcommand === "copy") return await copy(stores, values.from, values.to)
    const store = findStore(stores, args[0])
    const missing = spec.args.slice(1).find((_, index) => args[index + 1] === undefined)
    if (missing !== undefined)
      throw new UserError(`layeron kv ${subcommand} needs the ${missing}: ${usageOf(subcommand)}`)
    const opened = await openStores([store], backendOf(values.target, resolveEntry(entry, `kv ${subcommand}`)))
    try {
      return await run(subcommand, opened.stores[0] as KVStoreLike, args.slice(1) as string[], values)
    } finally {
      await opened.close()
    }
  } catch (error) {
    throw oneLine(error)
  }
}

async function run(
  subcommand: Exclude<Subcommand, "copy">,
  store: KVStoreLike,
  args: string[],
  values: Values,
): Promise<number> {
  const [key = "", value = ""] = args
  switch (subcommand) {
    case "list":
      await listKeys(store, {
        prefix: values.prefix ?? "",
        limit: parseLimit(values.limit),
        json: values.json === true,
      })
      return 0
    case "get":
      await getEntry(store, key, { out: values.out, meta: values.meta === true })
      return 0
    case "put":
      await putEntry(store, key, value, {
        ttl: values.ttl,
        contentType: values["content-type"],
        metadata: values.metadata,
      })
      console.log(`layeron kv: put ${JSON.stringify(key)} in ${storePath(store)}`)
      return 0
    case "delete": {
      const existed = (await store.get(key)) !== null
      await store.delete(key)
      console.log(
        existed
          ? `layeron kv: deleted ${JSON.stringify(key)} from ${storePath(store)}`
          : `layeron kv: no key ${JSON.stringify(key)} in ${storePath(store)}, nothing to delete`,
      )
      return 0
    }
    case "export": {
      const format = parseFormat(values.format)
      const { exported, skipped, readerGone } = await exportStore(store, { prefix: values.prefix ?? "", format })
      // `export | head`: the reader had what it wanted; the count would describe a dump nobody holds.
      if (readerGone) return 0
      const note = skipped > 0 ? ` (left out ${skipped} expiring within a minute, which Workers KV refuses)` : ""
      console.error(`layeron kv export: ${exported} entries from ${storePath(store)}${note}`)
      return 0
    }
    case "import": {
      const { written, skipped } = await importStore(store)
      console.log(`layeron kv import: ${written} entries into ${storePath(store)}${skippedNote(skipped)}`)
      return 0
    }
  }
}

async function copy(stores: KVStoreLike[], from: string | undefined, to: string | undefined): Promise<number> {
  if (from === undefined || to === undefined)
    throw new UserError(`layeron kv copy needs --from and --to: ${usageOf("copy")}`)
  if (from === to) throw new UserError("layeron kv copy: --from and --to are the same backend")
  const source = await openStores(stores, { kind: "url", url: from })
  try {
    const target = await openStores(stores, { kind: "url", url: to })
    try {
      for (const [index, store] of source.stores.entries()) {
        const { written, skipped } = await copyStore(store, target.stores[index] as KVStoreLike)
        console.log(`layeron kv copy: ${written} entries of ${storePath(store)}${skippedNote(skipped)}`)
      }
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
  return 0
}

function skippedNote(skipped: number): string {
  return skipped > 0 ? ` (skipped ${skipped} expired or expiring within a minute)` : ""
}

function backendOf(target: string | undefined, entryPath: string): Backend {
  if (target === undefined) return { kind: "app" }
  if (target === "cloudflare") return { kind: "cloudflare", entryPath }
  throw new UserError(
    `--target takes cloudflare (the local state of layeron dev --target cloudflare), got ${JSON.stringify(target)}`,
  )
}

function usageOf(subcommand: Subcommand): string {
  return (KV_USAGE.split("\n").find((line) => line.includes(`kv ${subcommand} `)) ?? "").trim()
}

type Values = ReturnType<typeof parse>["values"]

function parse(subcommand: Subcommand, args: string[]) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: OPTIONS })
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'([^']+)'/.exec(message)?.[1] : undefined
    if (unknown !== undefined)
      throw new UserError(`Unknown option ${unknown} for layeron kv ${subcommand}; ${usageOf(subcommand)}`)
    throw new UserError(message.split("\n")[0] as string)
  }
  const allowed: readonly string[] = SUBCOMMANDS[subcommand].options
  for (const option of Object.keys(parsed.values)) {
    if (!allowed.includes(option))
      throw new UserError(`--${option} is not an option of layeron kv ${subcommand}; ${usageOf(subcommand)}`)
  }
  return parsed
}

/** In `layeron kv` the user is the caller: a store's refusal (a bad key, a value too large, ...) is theirs to fix, on one line. */
function oneLine(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (error instanceof Error && typeof code === "string" && code.startsWith("KV_")) {
    return new UserError(error.message.replace(/\s*\n\s*/g, " "))
  }
  return error
}
