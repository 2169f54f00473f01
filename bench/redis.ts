// The benchmarks' own redis-server: a throwaway one on a free port (never
// 6379), from the tests' support code, and what it reports about itself.
import { RedisServer } from "@layeron/test-support/redis-server"

export async function startBenchRedis(): Promise<RedisServer> {
  return new RedisServer().start()
}

/** One field of INFO, e.g. used_memory or redis_version. */
export async function redisInfo(server: RedisServer, section: string, field: string): Promise<string> {
  const info = await server.cli("info", section)
  const line = info.split(/\r?\n/).find((entry) => entry.startsWith(`${field}:`))
  if (line === undefined) throw new Error(`INFO ${section} has no ${field}`)
  return line.slice(field.length + 1).trim()
}
