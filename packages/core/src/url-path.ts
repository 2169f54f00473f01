/**
 * The path of a request URL, without parsing the whole URL: this runs on
 * every request, and `new URL()` costs more than the routing itself.
 * (A Request's URL never keeps a fragment, so only the query is cut.)
 */
export function pathOf(url: string): string {
  const schemeEnd = url.indexOf("://")
  const start = url.indexOf("/", schemeEnd === -1 ? 0 : schemeEnd + 3)
  if (start === -1) return "/"
  const query = url.indexOf("?", start)
  return query === -1 ? url.slice(start) : url.slice(start, query)
}
