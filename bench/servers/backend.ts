// Which backend a peer server keeps its sessions on, from the environment the
// runner sets: BENCH_BACKEND (memory | sqlite | redis | postgres), with
// BENCH_SQLITE_PATH, BENCH_REDIS_URL or BENCH_POSTGRES (pg's connection
// options as JSON). Layeron's servers read LAYERON_KV instead.
export type BackendName = "memory" | "sqlite" | "redis" | "postgres"

export interface BackendChoice {
  name: BackendName
  sqlitePath: string
  redisUrl: string
  postgres: string
}

export function backendFromEnv(supported: readonly BackendName[]): BackendChoice {
  const name = process.env.BENCH_BACKEND as BackendName | undefined
  if (name === undefined || !supported.includes(name)) {
    throw new Error(`BENCH_BACKEND must be one of ${supported.join(", ")}, got ${String(name)}`)
  }
  return {
    name,
    sqlitePath: process.env.BENCH_SQLITE_PATH ?? "",
    redisUrl: process.env.BENCH_REDIS_URL ?? "",
    postgres: process.env.BENCH_POSTGRES ?? "{}",
  }
}

/** The session every server stores at login, as the docs' example does. */
export interface Session {
  userId: string
  email: string
  roles: string[]
  createdAt: string
}

export const BENCH_EMAIL = "bench@example.com"
export const DAY_SECONDS = 86_400

export function newSession(email: string): Session {
  return { userId: "usr_100", email, roles: ["admin"], createdAt: new Date().toISOString() }
}

/** A 32-byte secret for the cookie-signing session plugins. */
export const COOKIE_SECRET = "layeron-bench-secret-0123456789abcdef"

/** The cookie pair (`name=value`) from a Set-Cookie header. */
export function cookiePair(setCookie: string | string[] | null | undefined): string {
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie
  const pair = first?.split(";")[0]
  if (!pair) throw new Error("login set no session cookie")
  return pair
}
