import { KVError } from "../../errors.js"
import type { sqliteDriver as nodeOnly } from "./driver.js"

// What `#kv-driver/sqlite` resolves to under the "workerd" and "worker"
// export conditions, so that a Worker bundle carries neither the SQLite
// driver nor better-sqlite3. On Workers a store declared with `app.use()`
// uses its KV namespace and never gets here.
export const sqliteDriver: typeof nodeOnly = () => {
  throw new KVError(
    "KV_CONFIG_INVALID",
    "The sqlite driver runs on Node.js only; on Cloudflare Workers declare the store with app.use(store) so that it uses its KV namespace",
  )
}
