import type { IncrementRefusal } from "../../driver.js"
import type { RedisClient } from "./connection.js"

// The atomic operations of the redis driver as Lua scripts: Redis runs a
// script alone, so its read and write are one step for every client, in one
// round trip. Each touches one key, so it runs on a Redis Cluster too (the
// key's master runs it). They read the entry layout of redis-entry.ts, and
// take the store's `now`, so an entry the store sees as expired is absent
// here too, even before Redis drops it.

/** Lua shared by the scripts: the entry's header, whether it is live, its version. */
const ENTRY = `
local function header(packed)
  local format = string.byte(packed, 1)
  if #packed < 14 or (format ~= 1 and format ~= 2) then
    error({ err = "ERR layeron: " .. KEYS[1] .. " does not hold a storage.kv entry; something else wrote it" })
  end
  local fixed = 14
  local version = ""
  if format == 2 then
    local length = string.byte(packed, 15)
    version = string.sub(packed, 16, 15 + length)
    fixed = 15 + length
  end
  return fixed, version
end

-- The entry at KEYS[1] if the store's clock (now) says it is live, else nil.
local function live(now)
  local packed = redis.call("GET", KEYS[1])
  if not packed then return nil end
  header(packed)
  if string.byte(packed, 2) % 2 == 1 and struct.unpack(">d", packed, 3) <= now then return nil end
  return packed
end

local function set(packed, pxat)
  if pxat == "" then return redis.call("SET", KEYS[1], packed) end
  return redis.call("SET", KEYS[1], packed, "PXAT", pxat)
end
`

/** ARGV: mode ("absent" or "version"), expected version, now, packed entry, PXAT or "". 1 when written. */
const PUT_IF = `${ENTRY}
local current = live(tonumber(ARGV[3]))
if ARGV[1] == "absent" then
  if current then return 0 end
elseif not current or select(2, header(current)) ~= ARGV[2] then
  return 0
end
set(ARGV[4], ARGV[5])
return 1
`

/** ARGV: expected version, now. 1 when deleted. */
const DELETE_IF = `${ENTRY}
local current = live(tonumber(ARGV[2]))
if not current or select(2, header(current)) ~= ARGV[1] then return 0 end
redis.call("DEL", KEYS[1])
return 1
`

/**
 * ARGV: delta, now, then the counter to create where none is live: its
 * expiry ("" for none), PXAT (""), version, content type, metadata ("" for
 * none) and text. The count, or why nothing was written. A live counter is
 * rewritten with its header (expiry, content type, metadata) and the new
 * version, KEEPTTL. Counters are decimal text within ±(2^53 - 1), as
 * counter.ts reads them. Every argument is text: a Buffer argument makes
 * ioredis encode the whole command in its slower buffer mode (measured).
 */
const INCREMENT = `${ENTRY}
local current = live(tonumber(ARGV[2]))
local version = ARGV[5]
if not current then
  local expiresAt, contentType, metadata = ARGV[3], ARGV[6], ARGV[7]
  local flags = (expiresAt == "" and 0 or 1) + (metadata == "" and 0 or 2)
  set(struct.pack(">BBdHHB", 2, flags, tonumber(expiresAt) or 0, #contentType, #metadata, #version)
    .. version .. contentType .. metadata .. ARGV[8], ARGV[4])
  return tonumber(ARGV[1])
end
local fixed = header(current)
local names = fixed + struct.unpack(">H", current, 11) + struct.unpack(">H", current, 13)
local text = string.sub(current, names + 1)
if #text > 17 or not (text == "0" or string.match(text, "^%-?[1-9]%d*$")) then return "not-a-counter" end
local limit = 9007199254740991
local count = tonumber(text)
if math.abs(count) > limit then return "not-a-counter" end
count = count + tonumber(ARGV[1])
if math.abs(count) > limit then return "out-of-range" end
redis.call("SET", KEYS[1], string.char(2) .. string.sub(current, 2, 14) .. string.char(#version) .. version
  .. string.sub(current, fixed + 1, names) .. string.format("%d", count), "KEEPTTL")
return count
`

const SCRIPTS = {
  layeronPutIf: PUT_IF,
  layeronDeleteIf: DELETE_IF,
  layeronIncrement: INCREMENT,
} as const

type Arg = string | Buffer | number

/** The counter an increment creates where none is live, as the script's text arguments. */
export interface CreatedCounter {
  expiresAt: number | null
  /** PXAT, or "" for a counter that never expires. */
  pxat: string
  version: string
  contentType: string
  metadata: string | null
  /** The count as decimal text. */
  text: string
}

/** The scripts as commands of `client` (EVALSHA, and EVAL the first time a node lacks one). */
export interface AtomicScripts {
  putIf(redisKey: string, expected: string | null, now: number, packed: Buffer, pxat: string): Promise<boolean>
  deleteIf(redisKey: string, expected: string, now: number): Promise<boolean>
  increment(redisKey: string, delta: number, now: number, created: CreatedCounter): Promise<number | IncrementRefusal>
}

export function defineAtomicScripts(client: RedisClient): AtomicScripts {
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: 1, lua })
  const run = client as unknown as Record<keyof typeof SCRIPTS, (key: string, ...args: Arg[]) => Promise<unknown>>
  return {
    async putIf(redisKey, expected, now, packed, pxat) {
      const mode = expected === null ? "absent" : "version"
      return (await run.layeronPutIf(redisKey, mode, expected ?? "", now, packed, pxat)) === 1
    },
    async deleteIf(redisKey, expected, now) {
      return (await run.layeronDeleteIf(redisKey, expected, now)) === 1
    },
    async increment(redisKey, delta, now, created) {
      const { expiresAt, pxat, version, contentType, metadata, text } = created
      return (await run.layeronIncrement(
        redisKey,
        delta,
        now,
        expiresAt === null ? "" : expiresAt,
        pxat,
        version,
        contentType,
        metadata ?? "",
        text,
      )) as number | IncrementRefusal
    },
  }
}
