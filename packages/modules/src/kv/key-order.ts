/**
 * Keys are ordered by their UTF-8 bytes, as SQLite and Workers KV order them.
 * That is code point order, which differs from JS's UTF-16 `<` for
 * characters above U+FFFF, so compare by code point.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length)
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index)
    const y = b.charCodeAt(index)
    if (x === y) continue
    // A surrogate (0xD800-0xDFFF) starts a character above U+FFFF, so it
    // sorts after every other code unit.
    const xHigh = x >= 0xd800 && x <= 0xdfff
    const yHigh = y >= 0xd800 && y <= 0xdfff
    if (xHigh !== yHigh) return xHigh ? 1 : -1
    return x - y
  }
  return a.length - b.length
}

/** The smallest string greater than every string that starts with `prefix`, or null if none exists. */
export function prefixUpperBound(prefix: string): string | null {
  const codePoints = Array.from(prefix)
  while (codePoints.length > 0) {
    const last = codePoints.pop() as string
    let next = (last.codePointAt(0) as number) + 1
    if (next === 0xd800) next = 0xe000
    if (next <= 0x10ffff) return codePoints.join("") + String.fromCodePoint(next)
  }
  return null
}
