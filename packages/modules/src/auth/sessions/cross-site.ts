// A cookie is sent by the browser whoever made the page: on a request a
// page of another site made with an unsafe method (a forged form post), the
// session cookie must not authenticate. Bearer tokens are never sent by the
// browser on its own, so they need no such check.

// Methods the Fetch standard calls safe: they must not change anything, so a cross-site one may carry the cookie.
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"])

/**
 * True when the request comes from another site's page with an unsafe
 * method. Sec-Fetch-Site (every current browser sends it) decides when
 * present: only "same-origin" and "none" (typed, a bookmark) are the app's
 * own. Otherwise an Origin that is not the request's own (or "null") is
 * cross-site. With neither header, the client is not a browser that could be
 * tricked (or one old enough that SameSite=Lax alone protects it).
 */
export function isCrossSiteUnsafe(request: Request): boolean {
  if (SAFE_METHODS.has(request.method)) return false
  const site = request.headers.get("sec-fetch-site")
  if (site !== null) return site !== "same-origin" && site !== "none"
  const origin = request.headers.get("origin")
  if (origin === null) return false
  return !isOwnOrigin(origin, request.url)
}

function isOwnOrigin(origin: string, requestUrl: string): boolean {
  let own: URL
  try {
    own = new URL(requestUrl)
  } catch {
    return false
  }
  // Behind a TLS proxy the app sees http://host while the browser's page is https://host.
  return origin === own.origin || origin === `https://${own.host}`
}
