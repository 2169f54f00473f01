/**
 * Parses JSON with comments and trailing commas, as wrangler.jsonc allows:
 * comments and the commas before a closing bracket are dropped, strings are
 * left alone, then JSON.parse reads the rest.
 */
export function parseJsonc(text: string): unknown {
  let out = ""
  let index = 0
  while (index < text.length) {
    const char = text[index] as string
    if (char === '"') {
      const end = stringEnd(text, index)
      out += text.slice(index, end)
      index = end
    } else if (text.startsWith("//", index)) {
      const end = text.indexOf("\n", index)
      index = end === -1 ? text.length : end
    } else if (text.startsWith("/*", index)) {
      const end = text.indexOf("*/", index + 2)
      index = end === -1 ? text.length : end + 2
    } else {
      if (char === "]" || char === "}") out = withoutTrailingComma(out)
      out += char
      index++
    }
  }
  return JSON.parse(out)
}

/** Drops a comma that ends `text` (before whitespace): outside strings, it can only be a trailing one. */
function withoutTrailingComma(text: string): string {
  let end = text.length
  while (end > 0 && /\s/.test(text[end - 1] as string)) end--
  return text[end - 1] === "," ? text.slice(0, end - 1) + text.slice(end) : text
}

/** The index just past the string that starts at `start`. */
function stringEnd(text: string, start: number): number {
  let index = start + 1
  while (index < text.length) {
    const char = text[index]
    if (char === "\\") index += 2
    else if (char === '"') return index + 1
    else index++
  }
  return index
}
