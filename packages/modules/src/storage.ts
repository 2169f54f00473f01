import { kv } from "./kv/store.js"

/**
 * The storage modules: `storage.kv({ name, namespace?, ttlSeconds? })`, a
 * key-value store with TTL on SQLite, memory, Redis or Workers KV.
 *
 * @example
 * import { backend } from "@layeron/core"
 * import { storage } from "@layeron/modules"
 *
 * const app = backend()
 * const sessions = storage.kv({ name: "user-sessions", namespace: "auth", ttlSeconds: 86400 })
 * app.use(sessions)
 * app.get("/me", async (request) => {
 *   const session = await sessions.get(request.headers.get("authorization") ?? "")
 *   return session ? Response.json(await session.json()) : new Response("Unauthorized", { status: 401 })
 * })
 */
export const storage = { kv } as const
