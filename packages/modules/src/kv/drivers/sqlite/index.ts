/**
 * The sqlite driver (`sqlite:<path>`, the default): entries in an embedded
 * SQLite file, in WAL mode so that several processes can share it, expiry in
 * an indexed column swept in batches on a worker thread (sweep.ts,
 * sweep-worker.ts). It relies on Node.js (fs, worker_threads) and on
 * better-sqlite3's native module, loaded only when a store opens this driver;
 * a Worker bundle gets on-workers.ts in its place.
 */
export { SqliteDriver, type SqliteDriverOptions, sqliteDriver } from "./driver.js"
