import { UserError } from "../user-error.js"
import type { KVHandleLike } from "./store-api.js"

/** One entry as export, import and copy move it: everything a `get` returns, with an absolute expiry. */
export interface Entry {
  readonly key: string
  readonly value: Uint8Array
  readonly contentType: string
  /** The user's metadata, parsed, or null. */
  readonly metadata: unknown
  /** Milliseconds since the epoch, or null for never. */
  readonly expiresAt: number | null
}

export async function entryOf(handle: KVHandleLike): Promise<Entry> {
  return {
    key: handle.key,
    value: await handle.bytes(),
    contentType: handle.contentType,
    metadata: handle.metadata,
    expiresAt: handle.expiresAt === null ? null : handle.expiresAt.getTime(),
  }
}

/** A line of a dump that cannot be imported: the message names the line. */
export class LineError extends UserError {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`)
  }
}
