import type { IncomingMessage, Server, ServerResponse } from "node:http"
import { isLoopbackAddress } from "./guard.js"
import { isInspectorPath } from "./handler.js"

type Handler = (request: Request) => Promise<Response>

/**
 * Answers one Node.js request with the inspector. With `checkRemote`, a client
 * that is not on this machine gets a 403 (`layeron dev` listens on every
 * interface by default); without it the caller knows the connection is local.
 */
export async function answerFromNode(
  handler: Handler,
  req: IncomingMessage,
  res: ServerResponse,
  options: { checkRemote: boolean },
): Promise<void> {
  req.resume() // the inspector reads no bodies
  let response: Response
  if (options.checkRemote && !isLoopbackAddress(req.socket.remoteAddress)) {
    response = new Response("The Layeron inspector answers only requests from this machine\n", {
      status: 403,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    })
  } else {
    response = await handler(toRequest(req))
  }
  res.statusCode = response.status
  response.headers.forEach((value, name) => {
    res.setHeader(name, value)
  })
  res.end(Buffer.from(await response.arrayBuffer()))
}

/** A Web Request for the handler: the headers as sent (Host included), no body. */
function toRequest(req: IncomingMessage): Request {
  const headers = new Headers()
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string)
  }
  // Only the path and query matter here; the host the client named is checked from the header.
  const url = new URL(req.url ?? "/", "http://inspector.invalid")
  return new Request(url, { method: req.method, headers })
}

/**
 * Puts the inspector in front of a server's request listeners (the app's):
 * requests for /_layeron/ go to the inspector, everything else as before.
 */
export function mountOnServer(server: Server, handler: Handler): void {
  const listeners = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[]
  server.removeAllListeners("request")
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    // A cheap test first: only paths that mention _layeron pay for parsing.
    if (req.url?.includes("_layeron") && isInspectorPath(pathOf(req.url))) {
      answerFromNode(handler, req, res, { checkRemote: true }).catch((error: unknown) => {
        console.error("layeron inspector: a request failed:", error)
        if (!res.headersSent) res.statusCode = 500
        res.end()
      })
      return
    }
    for (const listener of listeners) listener.call(server, req, res)
  })
}

/** The path as a URL parser (and so the app's router) reads it: dots resolved. */
function pathOf(url: string): string {
  try {
    return new URL(url, "http://x").pathname
  } catch {
    return url
  }
}
