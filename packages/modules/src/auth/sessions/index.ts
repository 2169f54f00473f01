/**
 * auth.sessions: session authentication on a strong `storage.kv` store.
 * Tokens of 384 random bits of which only a hash of the 256-bit secret is
 * stored, Bearer or an HttpOnly SameSite=Lax cookie that a cross-site unsafe
 * request cannot use, renewal by one conditional write, and a user's
 * sessions under one key prefix for `list` and `revokeAll`. Randomness from
 * crypto.getRandomValues and nothing from node:,
 * so it runs on Node.js and on Workers.
 */
import type { SessionsOptions } from "./options.js"
import type { SessionData } from "./session.js"
import { Sessions } from "./sessions.js"

export type { CookieOptions } from "./cookie.js"
export type { SessionsOptions } from "./options.js"
export type { Session, SessionData } from "./session.js"
export type { CreatedSession, CreateOptions } from "./sessions.js"
export { Sessions } from "./sessions.js"

/**
 * Declares session authentication: `app.use(sessions)` opens its store.
 *
 * @example
 * const sessions = auth.sessions({ ttlSeconds: 86400, maxAgeSeconds: 90 * 86400 })
 * app.use(sessions)
 * app.use("/api/*", sessions.required())
 */
export function sessions<Data = SessionData>(options?: SessionsOptions): Sessions<Data> {
  return new Sessions<Data>(options)
}
