/**
 * The redis driver (`redis://`, `rediss://`, `redis+cluster://`): entries in
 * Redis or Valkey, standalone or a Redis Cluster, shared by every app
 * process. One Redis string per entry (entry.ts) under a key hash-tagged by
 * its store key (keys.ts); an optional in-process read cache that Redis keeps
 * correct (cache.ts, tracking.ts). It relies on ioredis, loaded when the
 * driver opens, and on TCP sockets, so on Node.js only; a Worker bundle gets
 * on-workers.ts in its place.
 */
export type { RedisCacheOptions } from "./cache.js"
export { RedisDriver, type RedisDriverOptions, redisDriver } from "./driver.js"
