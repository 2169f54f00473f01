export type { Consistency } from "./kv/atomic.js"
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
export { isKVError, KVError } from "./kv/errors.js"
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
