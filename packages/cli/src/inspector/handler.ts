// The inspector's HTTP side, Web-standard so `layeron dev` (Node.js) and
// `layeron dev --target cloudflare` (Miniflare) serve the same thing:
//   GET    /_layeron/                     the page (page.ts)
//   GET    /_layeron/api/stores           the app's stores
//   GET    /_layeron/api/keys?store=&prefix=&cursor=&limit=
//   GET    /_layeron/api/entry?store=&key=
//   DELETE /_layeron/api/entry?store=&key=
import { type Refusal, refusal } from "./guard.js"
import { inspectorPage } from "./page.js"
import type { InspectedStore, StoreSource } from "./stores.js"
import { showValue } from "./value.js"

export const INSPECTOR_PATH = "/_layeron"
export const DEFAULT_PAGE_SIZE = 50
const MAX_PAGE_SIZE = 1000

/** Whether a path is the inspector's, however the request came. */
export function isInspectorPath(pathname: string): boolean {
  return pathname === INSPECTOR_PATH || pathname.startsWith(`${INSPECTOR_PATH}/`)
}

const COMMON_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
}

/** A caller's mistake in a request: answered with its status and message, never a 500. */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = "INSPECTOR_BAD_REQUEST",
    /** The methods a 405 names in its Allow header. */
    readonly allow?: string,
  ) {
    super(message)
  }
}

export interface InspectorOptions {
  stores: StoreSource
  /** The page's token; API calls must carry it (guard.ts). */
  token: string
  /** The current time, for the page's countdowns (a store's clock). */
  now?: () => number
}

export function inspectorHandler(options: InspectorOptions): (request: Request) => Promise<Response> {
  const now = options.now ?? Date.now
  return async (request) => {
    const url = new URL(request.url)
    const path = url.pathname.slice(INSPECTOR_PATH.length)
    const api = path.startsWith("/api/")
    const refused = refusal(request, { token: options.token, api })
    if (refused !== undefined) return refuse(refused, api)
    try {
      if (path === "") return redirect(`${INSPECTOR_PATH}/${url.search}`)
      if (path === "/") {
        allow(request, ["GET", "HEAD"])
        return page(inspectorPage(options.token), request.method === "HEAD")
      }
      if (path === "/api/stores") {
        allow(request, ["GET"])
        const stores = await options.stores()
        return json({ stores: stores.map(({ id, label, details }) => ({ id, label, details })) })
      }
      if (path === "/api/keys") {
        allow(request, ["GET"])
        return json(await listKeys(await findStore(options.stores, url), url, now()))
      }
      if (path === "/api/entry") {
        allow(request, ["GET", "DELETE"])
        const store = await findStore(options.stores, url)
        const key = param(url, "key")
        if (request.method === "DELETE") {
          await store.kv.delete(key)
          return json({ deleted: true })
        }
        return json(await readEntry(store, key, now()))
      }
      throw new BadRequest(404, `No such inspector path: ${url.pathname}`, "INSPECTOR_NOT_FOUND")
    } catch (error) {
      return failure(error)
    }
  }
}

async function findStore(source: StoreSource, url: URL): Promise<InspectedStore> {
  const id = param(url, "store")
  const stores = await source()
  const store = stores.find((candidate) => candidate.id === id)
  if (store === undefined) {
    const declared = stores.map((candidate) => candidate.label).join(", ") || "none"
    throw new BadRequest(404, `The app declares no such store; it declares: ${declared}`, "INSPECTOR_NO_STORE")
  }
  return store
}

async function listKeys(store: InspectedStore, url: URL, now: number) {
  const limitText = url.searchParams.get("limit")
  const limit = limitText === null || limitText === "" ? DEFAULT_PAGE_SIZE : Number(limitText)
  if (!/^\d+$/.test(limitText ?? "1") || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new BadRequest(400, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
  }
  const prefix = url.searchParams.get("prefix") ?? ""
  const cursor = url.searchParams.get("cursor") || undefined
  const page = await store.kv.list({ prefix, limit, cursor })
  return {
    now,
    keys: page.keys.map((key) => ({
      name: key.name,
      expiresAt: key.expiresAt?.getTime() ?? null,
      metadata: key.metadata ?? null,
    })),
    cursor: page.cursor ?? null,
    complete: page.complete,
  }
}

async function readEntry(store: InspectedStore, key: string, now: number) {
  const entry = await store.kv.get(key)
  if (entry === null) {
    throw new BadRequest(404, "No such key: it was deleted or has expired", "INSPECTOR_NO_KEY")
  }
  const bytes = new Uint8Array(await entry.arrayBuffer())
  return {
    now,
    key,
    contentType: entry.contentType,
    metadata: entry.metadata ?? null,
    expiresAt: entry.expiresAt?.getTime() ?? null,
    size: bytes.byteLength,
    value: showValue(bytes, entry.contentType),
  }
}

function param(url: URL, name: string): string {
  const value = url.searchParams.get(name)
  if (value === null || value === "") throw new BadRequest(400, `The ${name} parameter is missing`)
  return value
}

function allow(request: Request, methods: string[]): void {
  if (!methods.includes(request.method)) {
    throw new BadRequest(405, `${request.method} is not allowed here`, "INSPECTOR_METHOD", methods.join(", "))
  }
}

/**
 * A store's error as the page shows it: a KVError the caller caused (a bad
 * cursor) is a 400, an unreachable backend a 503 with the store's own message
 * (it never holds a password); anything else is a 500 without details.
 */
function failure(error: unknown): Response {
  if (error instanceof BadRequest) {
    const headers = error.allow === undefined ? undefined : { allow: error.allow }
    return json({ error: error.message, code: error.code }, error.status, headers)
  }
  const kv = error as { name?: unknown; code?: unknown; fixedBy?: unknown; message?: unknown }
  if (kv?.name === "KVError" && typeof kv.code === "string" && typeof kv.message === "string") {
    const status = kv.code === "KV_UNAVAILABLE" ? 503 : kv.fixedBy === "caller" ? 400 : 500
    return json({ error: kv.message, code: kv.code }, status)
  }
  console.error("layeron inspector: a request failed:", error)
  return json({ error: "The inspector failed; the detail is in the terminal", code: "INSPECTOR_FAILED" }, 500)
}

function refuse(refused: Refusal, api: boolean): Response {
  if (api) return json({ error: refused.message, code: refused.code }, refused.status)
  return new Response(`${refused.message}\n`, {
    status: refused.status,
    headers: { ...COMMON_HEADERS, "content-type": "text/plain; charset=utf-8" },
  })
}

function json(body: unknown, status = 200, extra?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...COMMON_HEADERS, "content-type": "application/json; charset=utf-8", ...extra },
  })
}

function page(html: { body: string; nonce: string }, head: boolean): Response {
  return new Response(head ? null : html.body, {
    headers: {
      ...COMMON_HEADERS,
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": [
        "default-src 'none'",
        `script-src 'nonce-${html.nonce}'`,
        `style-src 'nonce-${html.nonce}'`,
        "connect-src 'self'",
        "img-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join("; "),
    },
  })
}

function redirect(location: string): Response {
  return new Response(null, { status: 308, headers: { ...COMMON_HEADERS, location } })
}
