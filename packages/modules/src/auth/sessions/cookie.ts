// The session cookie: HttpOnly (page scripts never see it), SameSite=Lax,
// Path=/, Secure on https, and a Max-Age that ends with the session.

export interface CookieOptions {
  /** Default "session". */
  readonly name?: string
  /** Leave it out (the default) to keep the cookie to the exact host that set it. */
  readonly domain?: string
  /** Default "Lax": a link from another site still arrives logged in; "Strict" does not. */
  readonly sameSite?: "Lax" | "Strict"
  /** Default "auto": Secure unless the request given to setCookie() came over plain http. */
  readonly secure?: boolean | "auto"
}

export interface CookieSettings {
  readonly name: string
  readonly domain: string | undefined
  readonly sameSite: "Lax" | "Strict"
  readonly secure: boolean | "auto"
}

// RFC 6265 cookie-name (a token) and a domain made of host characters only: nothing that ends the attribute.
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/
const DOMAIN = /^[A-Za-z0-9.-]{1,253}$/

/** The problem with `options`, or null; the settings come from cookieSettings(). */
export function cookieProblem(options: CookieOptions): string | null {
  if (options.name !== undefined && (typeof options.name !== "string" || !COOKIE_NAME.test(options.name))) {
    return "cookie.name must be 1 to 64 letters, digits or !#$%&'*+.^_`|~-"
  }
  if (options.domain !== undefined && (typeof options.domain !== "string" || !DOMAIN.test(options.domain))) {
    return "cookie.domain must be a host name"
  }
  if (options.sameSite !== undefined && options.sameSite !== "Lax" && options.sameSite !== "Strict") {
    return 'cookie.sameSite must be "Lax" or "Strict" (None would send the cookie on cross-site requests)'
  }
  if (options.secure !== undefined && typeof options.secure !== "boolean" && options.secure !== "auto") {
    return 'cookie.secure must be true, false or "auto"'
  }
  return null
}

export function cookieSettings(options: CookieOptions): CookieSettings {
  return {
    name: options.name ?? "session",
    domain: options.domain,
    sameSite: options.sameSite ?? "Lax",
    secure: options.secure ?? "auto",
  }
}

/** Whether the cookie gets Secure: always, unless "auto" and the request came over plain http. */
function isSecure(settings: CookieSettings, request: Request | undefined): boolean {
  if (settings.secure !== "auto") return settings.secure
  if (request === undefined) return true
  if (request.url.startsWith("https:")) return true
  // Behind a TLS proxy the app sees http; the proxy says what the browser used.
  return request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https"
}

/** A Set-Cookie value: `value` for `maxAgeSeconds` (0 removes the cookie). */
export function serializeCookie(
  settings: CookieSettings,
  value: string,
  maxAgeSeconds: number,
  request: Request | undefined,
): string {
  let cookie = `${settings.name}=${value}; Max-Age=${Math.max(0, Math.round(maxAgeSeconds))}; Path=/; HttpOnly; SameSite=${settings.sameSite}`
  if (settings.domain !== undefined) cookie += `; Domain=${settings.domain}`
  if (isSecure(settings, request)) cookie += "; Secure"
  return cookie
}

// A Cookie header longer than this is not one a browser sends (they cap cookies at 4 KiB each, about 180 per host).
const MAX_COOKIE_HEADER = 64 * 1024

/** The values of the cookies named `name` in the request's Cookie header(s), in order. */
export function cookieValues(request: Request, name: string): string[] {
  const header = request.headers.get("cookie")
  if (header === null || header.length > MAX_COOKIE_HEADER) return []
  const values: string[] = []
  // Headers.get joins repeated Cookie headers with ", "; a token never holds ",", ";" or a space.
  for (const pair of header.split(/[;,]/)) {
    const equals = pair.indexOf("=")
    if (equals === -1 || pair.slice(0, equals).trim() !== name) continue
    let value = pair.slice(equals + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    values.push(value)
  }
  return values
}
