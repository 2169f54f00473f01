import { fstatSync } from "node:fs"
import { UserError } from "../user-error.js"
import { entryChecker } from "./check-entry.js"
import { type Entry, LineError } from "./entry.js"
import { readLines } from "./lines.js"
import { parseNdjsonLine } from "./ndjson.js"
import { startProgress } from "./progress.js"
import { type KVStoreLike, storePath } from "./store-api.js"
import { soonestExpiry, type WriteCounts, writeBatch } from "./write-entries.js"

/** Written together: enough to keep a networked backend busy, few enough that memory stays flat. */
const BATCH_ENTRIES = 500
const BATCH_BYTES = 8 * 1024 * 1024

/**
 * Reads a dump (NDJSON, as `export` writes it) and writes its entries. Every
 * line is parsed and checked by the store's own rules before its batch is
 * written, so a bad line stops the import with everything before it written
 * and nothing from it on, and the error says so.
 */
export async function importStore(
  store: KVStoreLike,
  input: NodeJS.ReadableStream = process.stdin,
  inputFd: number | undefined = input === process.stdin ? 0 : undefined,
): Promise<WriteCounts> {
  if ((input as { isTTY?: boolean }).isTTY) {
    throw new UserError(`import reads a dump from stdin: layeron kv import <entry> ${storePath(store)} < dump`)
  }
  const size = inputSize(inputFd)
  const progress = await startProgress(`import ${storePath(store)}`, { knownSize: size !== undefined })
  const check = entryChecker(store)
  const counts: WriteCounts = { written: 0, skipped: 0 }
  let batch: { entry: Entry; line: number }[] = []
  let batchBytes = 0
  const flush = async () => {
    const failure = await writeBatch(
      store,
      batch.map((item) => item.entry),
      Date.now(),
      counts,
    )
    const lines = batch
    batch = []
    batchBytes = 0
    if (failure !== null) {
      const line = lines[failure.failed]?.line
      throw new UserError(
        `line ${line}: ${messageOf(failure.error)}; the import stopped with ${written(counts)}, so it is incomplete`,
      )
    }
  }
  try {
    for await (const { number, text, offset } of readLines(input as AsyncIterable<Buffer>)) {
      let entry: Entry
      try {
        entry = parseNdjsonLine(text, number)
        if (entry.expiresAt !== null && entry.expiresAt < soonestExpiry(store, Date.now())) {
          counts.skipped++
          continue
        }
        await check(entry)
      } catch (error) {
        await flush()
        const problem = error instanceof LineError ? error.message : `line ${number}: ${messageOf(error)}`
        throw new UserError(`${problem}; imported ${written(counts)} from the lines before it, nothing from it on`)
      }
      batch.push({ entry, line: number })
      batchBytes += entry.value.byteLength
      if (batch.length >= BATCH_ENTRIES || batchBytes >= BATCH_BYTES) {
        await flush()
        progress.update(counts.written, size === undefined ? undefined : offset / size)
      }
    }
    await flush()
  } catch (error) {
    // A line too long, or an input that failed, after the lines before it were written.
    if (error instanceof LineError) {
      await flush()
      throw new UserError(`${error.message}; imported ${written(counts)} from the lines before it, nothing from it on`)
    }
    throw error
  } finally {
    progress.stop()
  }
  return counts
}

function written(counts: WriteCounts): string {
  return counts.written === 1 ? "1 entry" : `${counts.written} entries`
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The input's size when it is a file (`< dump`), for a bar with an end; a pipe has none. */
function inputSize(fd: number | undefined): number | undefined {
  if (fd === undefined) return undefined
  try {
    const stat = fstatSync(fd)
    return stat.isFile() && stat.size > 0 ? stat.size : undefined
  } catch {
    return undefined
  }
}
