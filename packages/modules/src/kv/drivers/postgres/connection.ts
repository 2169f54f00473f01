import type { ConnectionOptions } from "node:tls"
import type { ClientConfig, Pool, PoolConfig } from "pg"
import type { PostgresConfig, SslMode } from "./url.js"

/** How many connections a driver keeps at most, unless told otherwise. */
export const DEFAULT_POOL_SIZE = 10

/** TLS as libpq's sslmode means it: require encrypts without checking the certificate, verify-* check it. */
function tlsOptions(mode: SslMode): false | ConnectionOptions {
  if (mode === "disable") return false
  if (mode === "require") return { rejectUnauthorized: false }
  // verify-ca: the chain is checked, the host name is not.
  if (mode === "verify-ca") return { rejectUnauthorized: true, checkServerIdentity: () => undefined }
  return { rejectUnauthorized: true }
}

/**
 * A pool of connections (pg, loaded only now). Fail fast, recover by itself:
 * a call fails within about `timeoutMs` when its query moves no byte, or
 * when it waits for a connection while no query finishes and no connection
 * opens (the driver's watchdog, deadline.ts); a query that fails takes its
 * connection with it (the driver ends it), so a server that went silent
 * cannot keep a connection stuck, and the next query opens a new one. A
 * connect may go on for longer in the background (`connectTimeoutMs`): on a
 * loaded machine ten connections opened at once took 150-370 ms each, and
 * a call waits for one only while the server shows it is alive.
 * Nothing connects until the first query: an app starts while its database
 * is down, and answers 503 until it is back.
 */
export async function openPool(config: PostgresConfig, timeoutMs: number, poolSize: number): Promise<Pool> {
  const connectTimeoutMs = Math.max(5 * timeoutMs, 5000)
  const { default: pg } = await import("pg")
  // pg-pool bounds the wait for a free connection by the same setting as the connect: only
  // the connect gets it here, the wait is the watchdog's.
  class BoundedClient extends pg.Client {
    constructor(clientConfig: ClientConfig) {
      // pg-pool keeps the password non-enumerable, out of a spread's reach.
      super({ ...clientConfig, password: clientConfig.password, connectionTimeoutMillis: connectTimeoutMs })
    }
  }
  const options: PoolConfig = {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    ssl: tlsOptions(config.sslmode),
    max: poolSize,
    Client: BoundedClient as unknown as PoolConfig["Client"],
    // The server gives up too, so a statement the client abandoned does not run on for long;
    // generous, so a statement queued behind a hot row's lock under load is not cut short.
    statement_timeout: Math.max(10 * timeoutMs, 5000),
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: "layeron",
    // A script that forgets close() still exits once its connections are idle.
    allowExitOnIdle: true,
  }
  const pool = new pg.Pool(options)
  // An idle connection whose server went away: the next query opens a new one. Without a
  // listener the pool's "error" event would end the process.
  pool.on("error", () => undefined)
  return pool
}
