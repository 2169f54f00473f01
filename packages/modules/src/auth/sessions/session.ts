// A session as the app sees it, and as it is stored: everything but the
// secret, whose hash stands in for it.

/** A live session. `id` names it (in `list()`, `revokeAll`'s `except`); it is not a credential. */
export interface Session<Data = SessionData> {
  readonly id: string
  readonly userId: string
  readonly data: Data
  readonly createdAt: Date
  readonly expiresAt: Date
  /** When the session was created or last renewed: renewals write, ordinary requests do not. */
  readonly lastUsedAt: Date
}

/** What an app keeps in a session: anything JSON can hold. */
export type SessionData = Record<string, unknown>

/** The stored form (JSON). Short names: it is read on every request. */
export interface StoredSession {
  /** user id */
  readonly u: string
  /** base64url SHA-256 of the secret */
  readonly h: string
  readonly d: unknown
  /** created, expires, last used: ms since the epoch */
  readonly c: number
  readonly e: number
  readonly l: number
  /** the lifetime a renewal extends by, in seconds (the standard or the remember-me one) */
  readonly t: number
}

/** The stored form read back, or null if it is not one (a value some other code wrote under the key). */
export function readStored(text: string): StoredSession | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== "object" || value === null) return null
  const record = value as Record<string, unknown>
  if (typeof record.u !== "string" || typeof record.h !== "string") return null
  if (!isTime(record.c) || !isTime(record.e) || !isTime(record.l) || !isTime(record.t)) return null
  return record as unknown as StoredSession
}

function isTime(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value)
}

export function toSession<Data>(id: string, stored: StoredSession): Session<Data> {
  return {
    id,
    userId: stored.u,
    data: (stored.d ?? {}) as Data,
    createdAt: new Date(stored.c),
    expiresAt: new Date(stored.e),
    lastUsedAt: new Date(stored.l),
  }
}
