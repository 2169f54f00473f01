import type { serveNode as nodeOnly } from "./index.js"

// What `#node-server` resolves to under the "workerd" and "worker" export
// conditions, so that a Worker bundle carries no Node.js server: there the
// runtime calls `app.fetch` itself.
export const serveNode: typeof nodeOnly = async () => {
  throw new Error(
    "app.listen() serves on Node.js; on Cloudflare Workers the runtime calls app.fetch (build with layeron build --target cloudflare)",
  )
}
