import { DEFAULT_KV_URL, type UrlScheme } from "../../driver-url.js"

/** `sqlite:<path>`: the file at the path (relative to the working directory), or `sqlite::memory:`. */
export const sqliteScheme: UrlScheme<{ readonly kind: "sqlite"; readonly path: string }> = {
  kind: "sqlite",
  forms: `sqlite:<path> (the default is ${DEFAULT_KV_URL})`,
  parse(url) {
    if (!url.startsWith("sqlite:")) return null
    const path = url.slice("sqlite:".length)
    return path.length > 0 ? { kind: "sqlite", path } : null
  },
  async open(spec, clock) {
    // A Worker bundle resolves this to a stand-in (see "imports" in package.json).
    const { sqliteDriver } = await import("#kv-driver/sqlite")
    return sqliteDriver({ path: spec.path, clock })
  },
}
