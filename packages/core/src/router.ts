import { RegExpRouter } from "hono/router/reg-exp-router"
import { SmartRouter } from "hono/router/smart-router"
import { TrieRouter } from "hono/router/trie-router"
import { HttpError } from "./http-error.js"

export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const
export type Method = (typeof METHODS)[number]
/** A route for every method, as `app.all()` registers. */
const ANY = "ALL"

/** One path pattern and what each method does there. */
interface PathEntry<H> {
  readonly path: string
  readonly byMethod: Map<string, H>
}

export type RouteMatch<H> =
  | { readonly kind: "found"; readonly handler: H; readonly params: Record<string, string> }
  | { readonly kind: "method-not-allowed"; readonly allow: string }
  | { readonly kind: "not-found" }

const NOT_FOUND = { kind: "not-found" } as const

/**
 * Method-aware routing on top of Hono's router (RegExpRouter, falling back to
 * TrieRouter for patterns it cannot compile): each path pattern is one entry
 * in Hono's router, so a path that exists under another method is told apart
 * from a path that does not exist (405 with `Allow` versus 404).
 */
export class Router<H> {
  private readonly paths = new Map<string, PathEntry<H>>()
  private readonly matcher = new SmartRouter<PathEntry<H>>({
    routers: [new RegExpRouter(), new TrieRouter()],
  })

  add(method: string, path: string, handler: H): void {
    if (typeof path !== "string" || !path.startsWith("/")) {
      throw new TypeError(`Route path must be a string starting with "/", got ${JSON.stringify(path)}`)
    }
    let entry = this.paths.get(path)
    if (entry === undefined) {
      entry = { path, byMethod: new Map() }
      this.paths.set(path, entry)
      this.matcher.add(ANY, path, entry)
    }
    if (entry.byMethod.has(method)) {
      throw new Error(`Route ${method} ${path} is already registered`)
    }
    entry.byMethod.set(method, handler)
  }

  match(method: string, path: string): RouteMatch<H> {
    const [matches, stash] = this.matcher.match(ANY, path)
    if (matches.length === 0) return NOT_FOUND
    for (const [entry, paramsOrIndexes] of matches) {
      const handler =
        entry.byMethod.get(method) ??
        entry.byMethod.get(ANY) ??
        (method === "HEAD" ? entry.byMethod.get("GET") : undefined)
      if (handler !== undefined) {
        return { kind: "found", handler, params: readParams(paramsOrIndexes, stash) }
      }
    }
    return { kind: "method-not-allowed", allow: allowedMethods(matches.map(([entry]) => entry)) }
  }
}

export function readParams(
  paramsOrIndexes: Record<string, unknown>,
  stash: readonly unknown[] | undefined,
): Record<string, string> {
  const params: Record<string, string> = {}
  for (const name in paramsOrIndexes) {
    const raw = stash === undefined ? paramsOrIndexes[name] : stash[paramsOrIndexes[name] as number]
    if (typeof raw === "string") params[name] = raw.includes("%") ? decodeParam(name, raw) : raw
  }
  return params
}

function decodeParam(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new HttpError(400, `Path parameter "${name}" has malformed percent-encoding`)
  }
}

function allowedMethods(entries: readonly PathEntry<unknown>[]): string {
  const allowed = new Set<string>()
  for (const entry of entries) {
    for (const method of entry.byMethod.keys()) {
      if (method === ANY) return METHODS.join(", ")
      allowed.add(method)
      if (method === "GET") allowed.add("HEAD")
    }
  }
  return METHODS.filter((method) => allowed.has(method)).join(", ")
}
