/**
 * The postgres driver (`postgres://`, `postgresql://`): entries in one
 * PostgreSQL table, created on first use with a versioned schema (schema.ts),
 * keys as bytea in byte order, expiry in an indexed column, swept in batches
 * by one process at a time under an advisory lock; every app process on the
 * database shares the stores. It relies on pg, loaded when the driver opens,
 * and on TCP sockets, so on Node.js only; a Worker bundle gets on-workers.ts
 * in its place.
 */
export { PostgresDriver, type PostgresDriverOptions, postgresDriver } from "./driver.js"
