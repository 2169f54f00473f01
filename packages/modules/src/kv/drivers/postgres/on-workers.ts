import { KVError } from "../../errors.js"
import type { postgresDriver as nodeOnly } from "./driver.js"

// What `#kv-driver/postgres` resolves to under the "workerd" and "worker"
// export conditions, so that a Worker bundle carries no PostgreSQL client (it
// needs TCP sockets). On Workers a store declared with `app.use()` uses its KV
// namespace.
export const postgresDriver: typeof nodeOnly = async () => {
  throw new KVError(
    "KV_CONFIG_INVALID",
    "The postgres driver runs on Node.js only; on Cloudflare Workers declare the store with app.use(store) so that it uses its KV namespace",
  )
}
