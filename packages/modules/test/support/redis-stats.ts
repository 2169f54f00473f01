import type { RedisServer } from "@layeron/test-support/redis-server"

/** Calls per command since the last reset, read from INFO commandstats (e.g. { get: 1, set: 2 }). */
export async function commandCalls(server: RedisServer): Promise<Record<string, number>> {
  const info = await server.cli("info", "commandstats")
  const calls: Record<string, number> = {}
  for (const match of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) {
    const name = match[1] as string
    // redis-cli's own INFO and CONFIG calls are not the driver's.
    if (name !== "info" && !name.startsWith("config")) calls[name] = Number(match[2])
  }
  return calls
}

export async function resetStats(server: RedisServer): Promise<void> {
  await server.cli("config", "resetstat")
}
