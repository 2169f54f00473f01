import { sessions } from "./auth/sessions/index.js"

/**
 * The authentication modules: `auth.sessions({ ttlSeconds?, rememberMeTtlSeconds?, maxAgeSeconds?, cookie? })`.
 *
 * @example
 * import { backend } from "@layeron/core"
 * import { auth } from "@layeron/modules"
 *
 * const app = backend()
 * const sessions = auth.sessions()
 * app.use(sessions)
 * app.use("/api/*", sessions.required())
 * app.get("/api/profile", (request, ctx) => Response.json(ctx.get("session")))
 */
export const auth = { sessions } as const
