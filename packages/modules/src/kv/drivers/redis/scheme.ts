import type { UrlScheme } from "../../driver-url.js"
import { isRedisUrl, parseRedisUrl, REDIS_FORMS } from "./url.js"

/** `redis://`, `rediss://` (TLS), `redis+cluster://`, `rediss+cluster://`: see url.ts. */
export const redisScheme: UrlScheme<{ readonly kind: "redis"; readonly url: string }> = {
  kind: "redis",
  forms: REDIS_FORMS,
  parse(url, source) {
    if (!isRedisUrl(url)) return null
    // Checked now, so a wrong URL is a one-line error at start-up (without the password).
    parseRedisUrl(url, source)
    return { kind: "redis", url }
  },
  async open(spec, clock) {
    // A Worker bundle resolves this to a stand-in too: no Redis client in a Worker.
    const { redisDriver } = await import("#kv-driver/redis")
    return redisDriver({ url: spec.url, clock })
  },
}
