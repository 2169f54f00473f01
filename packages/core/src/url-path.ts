/**
 * The path of a request URL, without parsing the whole URL: this runs on
 * every request, and `new URL()` costs more than the routing itself.
 * The path ends at the query or at a fragment (Node's Request keeps one).
 */
export function pathOf(url: string): string {
  const schemeEnd = url.indexOf("://")
  const start = url.indexOf("/", schemeEnd === -1 ? 0 : schemeEnd + 3)
  if (start === -1) return "/"
  const query = url.indexOf("?", start)
  const fragment = url.indexOf("#", start)
  const end = query === -1 ? fragment : fragment === -1 ? query : Math.min(query, fragment)
  return end === -1 ? url.slice(start) : url.slice(start, end)
}
