// How the page shows a value: JSON pretty-printed, text as it is, anything
// else as its size and a hex dump. Values can be 25 MiB, so only the start
// is sent; the page says how much it shows.

/** Text is cut here: enough to read an entry, small enough for a page. */
export const MAX_TEXT_CHARS = 64 * 1024
/** A hex dump shows this many bytes (16 a line). */
export const MAX_HEX_BYTES = 4096

export type ShownValue =
  | { readonly kind: "json"; readonly text: string; readonly truncated: false }
  | { readonly kind: "text"; readonly text: string; readonly truncated: boolean; readonly note?: string }
  | { readonly kind: "binary"; readonly hex: string; readonly truncated: boolean }

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i
const TEXT_TYPE =
  /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:xml|javascript|ecmascript|x-www-form-urlencoded|x-ndjson|yaml)\s*(?:;|$))/i

/** A value for the page, decided by its content type: what it claims to be, if its bytes agree. */
export function showValue(bytes: Uint8Array, contentType: string): ShownValue {
  const isJson = JSON_TYPE.test(contentType)
  if (isJson || TEXT_TYPE.test(contentType)) {
    const text = utf8(bytes)
    if (text === undefined) return binary(bytes)
    if (isJson) {
      try {
        // A leading BOM is skipped, as handle.json() does.
        const pretty = JSON.stringify(JSON.parse(text.replace(/^\uFEFF/, "")), null, 2)
        if (pretty !== undefined && pretty.length <= MAX_TEXT_CHARS)
          return { kind: "json", text: pretty, truncated: false }
      } catch {
        return { ...cut(text), note: "not valid JSON, shown as text" }
      }
    }
    return cut(text)
  }
  return binary(bytes)
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return undefined
  }
}

function cut(text: string): { kind: "text"; text: string; truncated: boolean } {
  if (text.length <= MAX_TEXT_CHARS) return { kind: "text", text, truncated: false }
  // Never end on half a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(MAX_TEXT_CHARS - 1)) ? MAX_TEXT_CHARS - 1 : MAX_TEXT_CHARS
  return { kind: "text", text: text.slice(0, end), truncated: true }
}

/** `00000010  68 65 6c 6c 6f ...  |hello...|`: offset, bytes, printable ASCII. */
export function hexDump(bytes: Uint8Array, max = MAX_HEX_BYTES): string {
  const lines: string[] = []
  const end = Math.min(bytes.length, max)
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end))
    const hex = [...row].map((byte) => byte.toString(16).padStart(2, "0")).join(" ")
    const ascii = [...row].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".")).join("")
    lines.push(`${offset.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  |${ascii}|`)
  }
  return lines.join("\n")
}

function binary(bytes: Uint8Array): ShownValue {
  return { kind: "binary", hex: hexDump(bytes), truncated: bytes.length > MAX_HEX_BYTES }
}
