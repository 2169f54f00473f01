import { LineError } from "./entry.js"

/**
 * The longest line a dump may hold: a value at the 25 MiB limit in base64
 * (33.3 MiB), with a key and metadata at theirs, fits with room to spare.
 * A longer line is refused as soon as it is seen, without holding it all.
 */
export const MAX_LINE_BYTES = 48 * 1024 * 1024

export interface NumberedLine {
  readonly number: number
  readonly text: string
  /** Bytes read from the input up to the end of this line, for progress. */
  readonly offset: number
}

/** The lines of a byte stream (LF or CRLF), numbered from 1; blank lines are skipped but counted. */
export async function* readLines(
  input: AsyncIterable<Buffer | string>,
  maxBytes = MAX_LINE_BYTES,
): AsyncGenerator<NumberedLine> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  let number = 0
  let offset = 0
  const finish = (tail: Buffer): NumberedLine | null => {
    number++
    const whole = pending.length === 0 ? tail : Buffer.concat([...pending, tail])
    pending = []
    pendingBytes = 0
    let text = whole.toString("utf8")
    if (text.endsWith("\r")) text = text.slice(0, -1)
    return text.trim() === "" ? null : { number, text, offset }
  }
  for await (const raw of input) {
    const chunk = typeof raw === "string" ? Buffer.from(raw) : raw
    let start = 0
    for (;;) {
      const end = chunk.indexOf(10, start)
      if (end === -1) break
      if (pendingBytes + end - start > maxBytes) throw tooLong(number + 1, maxBytes)
      offset += end + 1 - start
      const line = finish(chunk.subarray(start, end))
      if (line !== null) yield line
      start = end + 1
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start)
      pendingBytes += rest.length
      offset += rest.length
      if (pendingBytes > maxBytes) throw tooLong(number + 1, maxBytes)
      // A copy: the stream may reuse its chunk's memory.
      pending.push(Buffer.from(rest))
    }
  }
  if (pendingBytes > 0) {
    const line = finish(Buffer.alloc(0))
    if (line !== null) yield line
  }
}

function tooLong(line: number, maxBytes: number): LineError {
  return new LineError(
    line,
    `longer than ${maxBytes / 1024 / 1024} MiB, the most a line may hold (a 25 MiB value in base64)`,
  )
}
