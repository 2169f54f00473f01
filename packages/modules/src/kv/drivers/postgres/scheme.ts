import type { UrlScheme } from "../../driver-url.js"
import { isPostgresUrl, POSTGRES_FORMS, parsePostgresUrl } from "./url.js"

/** `postgres://` and `postgresql://`: see url.ts. */
export const postgresScheme: UrlScheme<{ readonly kind: "postgres"; readonly url: string }> = {
  kind: "postgres",
  forms: POSTGRES_FORMS,
  parse(url, source) {
    if (!isPostgresUrl(url)) return null
    // Checked now, so a wrong URL is a one-line error at start-up (without the password).
    parsePostgresUrl(url, source)
    return { kind: "postgres", url }
  },
  async open(spec, clock) {
    // A Worker bundle resolves this to a stand-in: no PostgreSQL client in a Worker.
    const { postgresDriver } = await import("#kv-driver/postgres")
    return postgresDriver({ url: spec.url, clock })
  },
}
