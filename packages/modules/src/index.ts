export type { Consistency } from "./kv/atomic.js"

import { registerUrlScheme } from "./kv/driver-url.js"
import { workersKV } from "./kv/drivers/cloudflare/binding.js"
import { memoryScheme } from "./kv/drivers/memory/scheme.js"
import { postgresScheme } from "./kv/drivers/postgres/scheme.js"
import { redisScheme } from "./kv/drivers/redis/scheme.js"
import { sqliteScheme } from "./kv/drivers/sqlite/scheme.js"
import { registerWorkersDriver } from "./kv/workers-driver.js"

export type {
  CookieOptions,
  CreatedSession,
  CreateOptions,
  Session,
  SessionData,
  Sessions,
  SessionsOptions,
} from "./auth/sessions/index.js"
export { auth } from "./auth.js"
export type { Clock } from "./kv/clock.js"
export { setDefaultClock, systemClock } from "./kv/clock.js"
export type {
  AtomicKVDriver,
  DriverListOptions,
  IncrementRefusal,
  KVDriver,
  ListedEntry,
  ListPage,
  StoredEntry,
} from "./kv/driver.js"
export { DEFAULT_KV_URL, parseKVUrl } from "./kv/driver-url.js"
export type { KVValue } from "./kv/encode-value.js"
export type { KVErrorCode } from "./kv/errors.js"
export { isKVError, KV_ERROR_CODES, KVError } from "./kv/errors.js"
export { KVHandle } from "./kv/handle.js"
export { KV_LIMITS } from "./kv/limits.js"
export type {
  ConditionalPutOptions,
  DeleteOptions,
  IncrementOptions,
  KVStoreOptions,
  ListedKey,
  ListOptions,
  ListResult,
  PutOptions,
  UpdateResult,
} from "./kv/store.js"
export { KVStore, kv } from "./kv/store.js"
export { storage } from "./storage.js"

// The built-in drivers, in the order a wrong LAYERON_KV's message lists them. Each
// registration loads its driver's code only when a store opens it.
registerUrlScheme(sqliteScheme)
registerUrlScheme(memoryScheme)
registerUrlScheme(redisScheme)
registerUrlScheme(postgresScheme)
registerWorkersDriver(workersKV)
