/**
 * How a store key (already `namespace/name/key`, scoped by the store) becomes
 * a Redis key: `layeron:kv:{<store key>}`.
 *
 * - The fixed prefix keeps storage.kv's keys apart from an app's own Redis keys.
 * - The whole store key is the cluster hash tag, so the keys of one store
 *   spread over every slot, and a `{` or `}` inside a user's key cannot choose
 *   the slot (Redis hashes only the text between the first `{` and the next
 *   `}`). `%` and `}` are escaped, so the tag always ends at the last `}`.
 * - The escaping maps each character on its own, so a prefix of a store key
 *   becomes a prefix of its Redis key: `list()` by prefix is a SCAN MATCH.
 */
export const KEY_PREFIX = "layeron:kv:"

const TAG_START = `${KEY_PREFIX}{`

export function toRedisKey(storeKey: string): string {
  return `${TAG_START}${escapeTag(storeKey)}}`
}

/** The store key of a Redis key this driver wrote, or null for anyone else's key. */
export function fromRedisKey(redisKey: string): string | null {
  if (!redisKey.startsWith(TAG_START) || !redisKey.endsWith("}")) return null
  const inner = redisKey.slice(TAG_START.length, -1)
  if (inner.includes("}")) return null
  return inner.replace(/%(25|7D)/g, (code) => (code === "%25" ? "%" : "}"))
}

function escapeTag(text: string): string {
  return text.replace(/[%}]/g, (char) => (char === "%" ? "%25" : "%7D"))
}

/** A SCAN MATCH pattern for the Redis keys of every store key that starts with `storePrefix`. */
export function scanPattern(storePrefix: string): string {
  // Glob characters in a key are literal; `\` quotes them in a Redis pattern.
  return `${TAG_START}${escapeTag(storePrefix).replace(/[*?[\]\\]/g, "\\$&")}*`
}
