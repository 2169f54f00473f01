// storage.kv's shortest TTLs (KV_LIMITS in @layeron/modules): an entry with
// less left than this cannot be written with its expiry, so a move skips it
// rather than let it live longer than it would have.
export const KV_MIN_TTL_SECONDS = 60
export const KV_MIN_NON_PORTABLE_TTL_SECONDS = 1
