// `layeron dev` on Node.js: the inspector runs in the app's own process,
// in front of the app's server, and reads the very store objects the app
// declared, so it sees what the app sees on whatever LAYERON_KV names.
import type { Backend, NodeServer } from "@layeron/core"
import { isLoopbackHostname, newToken } from "./guard.js"
import { INSPECTOR_PATH, inspectorHandler } from "./handler.js"
import { mountOnServer } from "./node.js"
import { storesOfApp } from "./stores.js"

/** Serves /_layeron/ on the dev server; returns the line `layeron dev` prints about it. */
export function mountDevInspector(server: NodeServer, app: Backend<unknown>, hostname: string | undefined): string {
  if (!listensOnLoopback(hostname)) {
    return `layeron dev: no inspector: it answers only on this machine's loopback, and --host ${hostname} is not`
  }
  const handler = inspectorHandler({ stores: storesOfApp(() => app.modules), token: newToken() })
  mountOnServer(server.server, handler)
  const url = new URL(server.url)
  if (!isLoopbackHostname(url.hostname)) url.hostname = "localhost"
  return `layeron dev: inspector at ${url.origin}${INSPECTOR_PATH}/`
}

/** Every interface includes loopback; otherwise the host itself must be loopback. */
export function listensOnLoopback(hostname: string | undefined): boolean {
  if (hostname === undefined || hostname === "" || hostname === "0.0.0.0" || hostname === "::") return true
  return isLoopbackHostname(hostname)
}
