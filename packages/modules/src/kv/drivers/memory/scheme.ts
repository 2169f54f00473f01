import type { UrlScheme } from "../../driver-url.js"

/** `memory:`: one map per process, shared by every store that names it. */
export const memoryScheme: UrlScheme<{ readonly kind: "memory" }> = {
  kind: "memory",
  forms: "memory:",
  parse: (url) => (url === "memory:" ? { kind: "memory" } : null),
  async open(_spec, clock) {
    const { memoryDriver } = await import("./driver.js")
    return memoryDriver({ clock })
  },
}
