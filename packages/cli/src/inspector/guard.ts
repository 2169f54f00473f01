// Who may use the inspector: only this machine. Keys and values are user
// data (session tokens among them), and the page can delete entries, so:
// - the client must connect from a loopback address (checked where the
//   socket is known; elsewhere the server only listens on loopback);
// - the Host header must name loopback, so a web page whose own domain was
//   re-pointed at 127.0.0.1 (DNS rebinding) gets nothing;
// - a request a proxy forwarded (a tunnel such as ngrok or cloudflared that
//   connects from this machine, maybe rewriting Host) must say, in its
//   forwarding headers, that it came from loopback too;
// - every API call carries the page's token in a custom header, which a
//   cross-site page can neither read nor send without a CORS preflight that
//   is never granted; a call whose Origin or Sec-Fetch-Site says it came
//   from another site is refused as well.
import { randomBytes, timingSafeEqual } from "node:crypto"
import { isIP } from "node:net"

export const TOKEN_HEADER = "x-layeron-inspector"

export function newToken(): string {
  return randomBytes(24).toString("hex")
}

/** 127.0.0.0/8, ::1, and IPv4 loopback written as IPv6. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address
  if (isIP(v4) === 4) return v4.startsWith("127.")
  return address === "::1"
}

/** A host name (from a Host header or `--host`) that only ever means this machine. */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "")
  if (name === "localhost" || name.endsWith(".localhost")) return true
  const bare = name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name
  return isLoopbackAddress(bare)
}

/** The host name of a Host header (`localhost:3000`, `[::1]:3000`), or undefined if it is malformed. */
export function hostnameOf(host: string | null): string | undefined {
  if (host === null) return undefined
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/@\s]+)(?::\d{1,5})?$/.exec(host)
  return match?.[1]
}

export type Refusal = { status: 403; code: string; message: string }

/** Why a request must not reach the inspector, or undefined when it may. */
export function refusal(request: Request, options: { token: string; api: boolean }): Refusal | undefined {
  const host = request.headers.get("host")
  const hostname = hostnameOf(host)
  if (hostname === undefined || !isLoopbackHostname(hostname)) {
    return {
      status: 403,
      code: "INSPECTOR_HOST",
      message:
        "The Layeron inspector answers only at a loopback address: open it as http://localhost:<port>/_layeron/ or http://127.0.0.1:<port>/_layeron/",
    }
  }
  if (!forwardedFromLoopback(request.headers)) {
    return {
      status: 403,
      code: "INSPECTOR_FORWARDED",
      message: "The Layeron inspector answers only requests from this machine, not ones a proxy or tunnel forwarded",
    }
  }
  const origin = request.headers.get("origin")
  const site = request.headers.get("sec-fetch-site")
  if (
    (origin !== null && origin !== `http://${host}`) ||
    (site !== null && site !== "same-origin" && site !== "none")
  ) {
    return {
      status: 403,
      code: "INSPECTOR_CROSS_SITE",
      message: "The Layeron inspector refuses requests from other sites",
    }
  }
  if (options.api && !sameToken(request.headers.get(TOKEN_HEADER), options.token)) {
    return {
      status: 403,
      code: "INSPECTOR_TOKEN",
      message: "This inspector page is out of date (the app restarted): reload it",
    }
  }
  return undefined
}

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Headers in which proxies name the client they forward for. */
const CLIENT_HEADERS = ["x-forwarded-for", "x-real-ip", "cf-connecting-ip", "true-client-ip", "x-client-ip"]
const HOST_HEADERS = ["x-forwarded-host", "x-original-host"]

/**
 * True when no forwarding header names anything but loopback. Miniflare sets
 * CF-Connecting-IP to the loopback address it was called from; a tunnel sets
 * the real client's address there or in X-Forwarded-For or Forwarded.
 */
export function forwardedFromLoopback(headers: Headers): boolean {
  for (const name of CLIENT_HEADERS) {
    const value = headers.get(name)
    if (value !== null && !value.split(",").every((address) => isLoopbackAddress(address.trim()))) return false
  }
  for (const name of HOST_HEADERS) {
    const value = headers.get(name)
    if (value === null) continue
    for (const host of value.split(",")) {
      const hostname = hostnameOf(host.trim())
      if (hostname === undefined || !isLoopbackHostname(hostname)) return false
    }
  }
  const forwarded = headers.get("forwarded")
  if (forwarded !== null) {
    for (const pair of forwarded.split(/[;,]/)) {
      const [name, raw = ""] = pair.split("=", 2).map((part) => part.trim())
      const value = raw.replace(/^"|"$/g, "")
      if (name?.toLowerCase() === "for" && !isLoopbackAddress(forwardedAddress(value))) return false
      if (name?.toLowerCase() === "host") {
        const hostname = hostnameOf(value)
        if (hostname === undefined || !isLoopbackHostname(hostname)) return false
      }
    }
  }
  return true
}

/** A `Forwarded: for=` node without its port: `[::1]:80` is ::1, `127.0.0.1:80` is 127.0.0.1. */
function forwardedAddress(node: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(node)
  if (bracketed) return bracketed[1] as string
  return node.split(":").length === 2 ? (node.split(":")[0] as string) : node
}
