import type { LayeronModule, Middleware, ModuleContext, WorkersBinding } from "@layeron/core"
import { type Clock, defaultClock } from "../../kv/clock.js"
import { isKVError, KVError } from "../../kv/errors.js"
import type { KVHandle } from "../../kv/handle.js"
import { describeValue } from "../../kv/options.js"
import { KVStore } from "../../kv/store.js"
import { cookieValues, serializeCookie } from "./cookie.js"
import { isCrossSiteUnsafe } from "./cross-site.js"
import { firstExpiry, renewedExpiry } from "./lifetime.js"
import { type SessionsOptions, type SessionsSettings, sessionsSettings } from "./options.js"
import { readStored, type Session, type SessionData, type StoredSession, toSession } from "./session.js"
import { hashSecret, newToken, parseToken, sameHash, type TokenParts, userKeyOf } from "./token.js"

/** What create() returns: the token goes to the client (a cookie or a Bearer token) and nowhere else. */
export interface CreatedSession<Data = SessionData> {
  readonly token: string
  readonly session: Session<Data>
}

export interface CreateOptions<Data = SessionData> {
  readonly userId: string
  readonly data?: Data
  /** The longer lifetime (`rememberMeTtlSeconds`, 30 days by default). */
  readonly rememberMe?: boolean
}

/** A session that verify() accepted, with what the middleware needs to refresh the cookie. */
interface Verified<Data> {
  readonly session: Session<Data>
  readonly token: string
  readonly fromCookie: boolean
  readonly renewed: boolean
}

interface Found {
  readonly key: string
  readonly handle: KVHandle
  readonly stored: StoredSession
  readonly parts: TokenParts
  /** The time the expiry was checked against, which a renewal starts from. */
  readonly now: number
}

// A user id is stored in every one of their sessions; this keeps it a reasonable size.
const MAX_USER_ID_LENGTH = 512

/**
 * Session authentication on a `storage.kv` store: the `auth.sessions` module.
 * Each session is stored under `<hash of its user id>/<session id>`, so a
 * user's sessions are a key prefix: that prefix is the per-user index that
 * `list` and `revokeAll` read, it expires with the sessions themselves, and
 * concurrent logins (separate keys) cannot lose one another.
 */
export class Sessions<Data = SessionData> implements LayeronModule {
  readonly name: string
  private readonly settings: SessionsSettings
  private readonly store: KVStore
  private readonly clock: Clock | undefined

  constructor(options?: SessionsOptions) {
    this.settings = sessionsSettings(options)
    this.clock = options?.clock
    this.store = new KVStore({
      name: "sessions",
      namespace: this.settings.namespace,
      consistency: this.settings.consistency,
      ...(options?.driver === undefined ? {} : { driver: options.driver }),
      ...(options?.clock === undefined ? {} : { clock: options.clock }),
    })
    this.name = `auth.sessions(${this.settings.namespace})`
  }

  /** Module hook: opens the store from the app's environment. */
  start(context: ModuleContext): Promise<void> {
    return this.store.start(context)
  }

  /** Module hook for `layeron build`: the store's binding. */
  workersBindings(): WorkersBinding[] {
    return this.store.workersBindings()
  }

  /** Module hook, and the end of a standalone use: closes the store. */
  close(): Promise<void> {
    return this.store.close()
  }

  private now(): number {
    return (this.clock ?? defaultClock()).now()
  }

  /**
   * Starts a session for `userId`: one write. The token is the only copy of
   * its secret; send it to the client (`setCookie`, or in the body).
   *
   * @example
   * const created = await sessions.create({ userId: user.id, data: { email }, rememberMe: true })
   * return sessions.setCookie(Response.json({ ok: true }), created, request)
   */
  async create(options: CreateOptions<Data>): Promise<CreatedSession<Data>> {
    const { userId, data, rememberMe } = checkCreate(options)
    const now = this.now()
    const { token, parts } = newToken(userKeyOf(userId))
    const { ttl, expiresAt } = firstExpiry(this.settings, rememberMe, now)
    const stored: StoredSession = {
      u: userId,
      h: hashSecret(parts.secret),
      d: data,
      c: now,
      e: expiresAt,
      l: now,
      t: ttl,
    }
    await this.store.put(keyOf(parts), JSON.stringify(stored), { contentType: "application/json", expiresAt })
    return { token, session: toSession<Data>(parts.id, stored) }
  }

  /**
   * The session a request (its `Authorization: Bearer` token, else its
   * session cookie) or a token stands for; null when missing, malformed,
   * expired or revoked, and for a cookie on a cross-site unsafe request.
   * One read and one hash; a session past half its lifetime is renewed with
   * one conditional write.
   */
  async verify(from: Request | string): Promise<Session<Data> | null> {
    return (await this.check(from))?.session ?? null
  }

  private async check(from: Request | string): Promise<Verified<Data> | null> {
    const credential = from instanceof Request ? this.credential(from) : { token: from, fromCookie: false }
    if (credential === null) return null
    const { token, fromCookie } = credential
    const found = await this.lookup(token)
    if (found === null) return null
    const now = found.now
    const next = this.settings.renew ? renewedExpiry(found.stored, this.settings.maxAgeSeconds, now) : null
    // Object literals of one shape, no spreads: this is every request's path.
    if (next === null) return { session: toSession(found.parts.id, found.stored), token, fromCookie, renewed: false }
    const renewed: StoredSession = { ...found.stored, e: next, l: now }
    try {
      await this.store.put(found.key, JSON.stringify(renewed), {
        contentType: "application/json",
        expiresAt: next,
        // Only over the version just read: a revoke (or another renewal) in between wins, and nothing comes back.
        ifVersion: found.handle.version ?? "",
      })
    } catch (error) {
      if (!isKVError(error) || error.code !== "KV_CONFLICT") throw error
      const again = await this.lookup(token)
      return again === null
        ? null
        : { session: toSession(again.parts.id, again.stored), token, fromCookie, renewed: false }
    }
    return { session: toSession(found.parts.id, renewed), token, fromCookie, renewed: true }
  }

  /** The token a request carries: a Bearer token, else the session cookie unless the request is a cross-site unsafe one. */
  private credential(request: Request): { token: string; fromCookie: boolean } | null {
    const authorization = request.headers.get("authorization")
    if (authorization !== null && /^bearer /i.test(authorization)) {
      return { token: authorization.slice(7).trim(), fromCookie: false }
    }
    const cookie = this.settings.cookie
    if (cookie === null) return null
    // With several cookies of that name (one set by a sibling subdomain), the first well-formed one is tried.
    const token = cookieValues(request, cookie.name).find((value) => parseToken(value) !== null)
    if (token === undefined || isCrossSiteUnsafe(request)) return null
    return { token, fromCookie: true }
  }

  /** The stored session a token names, if its secret matches: one read and one hash. */
  private async lookup(token: unknown): Promise<Found | null> {
    const parts = parseToken(token)
    if (parts === null) return null
    const key = keyOf(parts)
    const handle = await this.store.get(key)
    if (handle === null) return null
    const stored = readStored(await handle.text())
    if (stored === null || !sameHash(stored.h, hashSecret(parts.secret))) return null
    const now = this.now()
    if (stored.e <= now) return null
    return { key, handle, stored, parts, now }
  }

  /** Ends the session of a request or token, if it is valid: true when one was ended. */
  async revoke(from: Request | string): Promise<boolean> {
    const credential = from instanceof Request ? this.credential(from) : { token: from }
    if (credential === null) return false
    const found = await this.lookup(credential.token)
    if (found === null) return false
    await this.store.delete(found.key)
    return true
  }

  /**
   * Ends every session of `userId` but `except` (a session id: "log out my
   * other devices"); returns how many it ended.
   *
   * @example
   * const current = ctx.get("session")
   * await sessions.revokeAll(current.userId, { except: current.id })
   */
  async revokeAll(userId: string, options?: { readonly except?: string }): Promise<number> {
    checkUserId(userId, "revokeAll()")
    const except = options?.except
    if (except !== undefined && typeof except !== "string") {
      throw new KVError(
        "KV_OPTIONS_INVALID",
        `${this.name}: revokeAll() except must be a session id, got ${describeValue(except)}`,
      )
    }
    let revoked = 0
    for await (const names of this.keysOf(userId)) {
      const ended = await Promise.all(
        names
          .filter((name) => idOf(name) !== except)
          .map(async (name) => {
            if (this.settings.consistency === "strong") return (await this.store.getAndDelete(name)) !== null
            await this.store.delete(name)
            return true
          }),
      )
      revoked += ended.filter(Boolean).length
    }
    return revoked
  }

  /** The live sessions of `userId`, oldest first. */
  async list(userId: string): Promise<Session<Data>[]> {
    checkUserId(userId, "list()")
    const sessions: Session<Data>[] = []
    const now = this.now()
    for await (const names of this.keysOf(userId)) {
      const handles = await this.store.getMany(names)
      for (const [name, handle] of handles) {
        const stored = handle === null ? null : readStored(await handle.text())
        if (stored !== null && stored.u === userId && stored.e > now) sessions.push(toSession(idOf(name), stored))
      }
    }
    return sessions.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
  }

  /** The keys under the user's prefix, a page at a time. */
  private async *keysOf(userId: string): AsyncGenerator<string[]> {
    const prefix = `${userKeyOf(userId)}/`
    let page = await this.store.list({ prefix })
    yield page.keys.map((key) => key.name)
    while (!page.complete) {
      page = await this.store.list({ prefix, cursor: page.cursor })
      yield page.keys.map((key) => key.name)
    }
  }

  /**
   * `response` with the session cookie set, lasting as long as the session.
   * Give the request so that the cookie is Secure exactly on https (with
   * `secure: "auto"`, the default; without the request it is Secure).
   */
  setCookie(response: Response, created: CreatedSession<Data>, request?: Request): Response {
    const cookie = this.cookieSettings("setCookie()")
    if (parseToken(created?.token) === null) {
      throw new KVError(
        "KV_OPTIONS_INVALID",
        `${this.name}: setCookie() takes what create() returned, { token, session }`,
      )
    }
    const maxAge = (created.session.expiresAt.getTime() - this.now()) / 1000
    return withHeader(response, serializeCookie(cookie, created.token, maxAge, request))
  }

  /** `response` with the session cookie removed (after `revoke` on logout). */
  clearCookie(response: Response, request?: Request): Response {
    return withHeader(response, serializeCookie(this.cookieSettings("clearCookie()"), "", 0, request))
  }

  private cookieSettings(call: string) {
    if (this.settings.cookie === null) {
      throw new KVError(
        "KV_OPTIONS_INVALID",
        `${this.name}: ${call} needs the cookie, which was declared cookie: false`,
      )
    }
    return this.settings.cookie
  }

  /**
   * Middleware: a 401 without a valid session; otherwise `ctx.get("session")`
   * is the session, and a renewed cookie session gets its cookie's Max-Age
   * refreshed.
   *
   * @example
   * app.use("/api/*", sessions.required())
   * app.get("/api/profile", (request, ctx) => Response.json(ctx.get("session").data))
   */
  required(): Middleware<string, unknown, { session: Session<Data> }> {
    return async (request, ctx, next) => {
      const verified = await this.check(request)
      if (verified === null) {
        return Response.json(
          { error: "Unauthorized" },
          { status: 401, headers: { "www-authenticate": "Bearer", "cache-control": "no-store" } },
        )
      }
      ctx.set("session", verified.session)
      const response = await next()
      if (!verified.renewed || !verified.fromCookie) return response
      return this.setCookie(response, verified, request)
    }
  }
}

function keyOf(parts: TokenParts): string {
  return `${parts.userKey}/${parts.id}`
}

function idOf(key: string): string {
  return key.slice(key.indexOf("/") + 1)
}

function checkUserId(userId: unknown, call: string): string {
  if (typeof userId !== "string" || userId.length === 0 || userId.length > MAX_USER_ID_LENGTH) {
    throw new KVError(
      "KV_OPTIONS_INVALID",
      `auth.sessions: ${call} userId must be a string of 1 to ${MAX_USER_ID_LENGTH} characters, got ${describeValue(userId)}`,
    )
  }
  return userId
}

function checkCreate<Data>(options: CreateOptions<Data>): { userId: string; data: Data; rememberMe: boolean } {
  if (typeof options !== "object" || options === null) {
    throw new KVError(
      "KV_OPTIONS_INVALID",
      `auth.sessions: create() takes { userId, data?, rememberMe? }, got ${describeValue(options)}`,
    )
  }
  const userId = checkUserId(options.userId, "create()")
  if (options.rememberMe !== undefined && typeof options.rememberMe !== "boolean") {
    throw new KVError(
      "KV_OPTIONS_INVALID",
      `auth.sessions: create() rememberMe must be a boolean, got ${describeValue(options.rememberMe)}`,
    )
  }
  const data = options.data ?? ({} as Data)
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new KVError(
      "KV_OPTIONS_INVALID",
      `auth.sessions: create() data must be an object, got ${describeValue(data)}`,
    )
  }
  try {
    JSON.stringify(data)
  } catch (error) {
    throw new KVError("KV_OPTIONS_INVALID", "auth.sessions: create() data must be serializable as JSON", {
      cause: error,
    })
  }
  return { userId, data, rememberMe: options.rememberMe ?? false }
}

/** `response` with a Set-Cookie added: in place when its headers can change, else on a copy. */
function withHeader(response: Response, cookie: string): Response {
  try {
    response.headers.append("set-cookie", cookie)
    return response
  } catch {
    const headers = new Headers(response.headers)
    headers.append("set-cookie", cookie)
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  }
}
