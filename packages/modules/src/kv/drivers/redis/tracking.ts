import type { Redis } from "ioredis"
import type { ReadCache } from "./cache.js"
import { readyOrTimeout } from "./connection.js"
import type { RedisConfig } from "./url.js"

const CHANNEL = "__redis__:invalidate"
const HEARTBEAT_MS = 500

/**
 * Keeps `cache` in step with Redis through server-assisted client-side
 * caching: the data connection runs `CLIENT TRACKING ON REDIRECT <id>`, so
 * Redis remembers which keys this process read and, when any client changes
 * one of them, sends its name to a second connection subscribed to
 * `__redis__:invalidate`. That connection speaks RESP2 because ioredis drops
 * RESP3 invalidation pushes.
 *
 * Either connection dropping turns the cache off and empties it; once both
 * are back, tracking is set up again and the cache turns back on.
 */
export async function startTracking(
  data: Redis,
  config: RedisConfig,
  timeoutMs: number,
  cache: ReadCache,
): Promise<{ close(): void }> {
  const { Redis } = await import("ioredis")
  const node = config.nodes[0]
  const subscriber = new Redis({
    host: node?.host,
    port: node?.port,
    username: config.username,
    password: config.password,
    tls: config.tls ? {} : undefined,
    protocol: 2,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // Subscribed again by hand, after its new client id is known.
    autoResubscribe: false,
    retryStrategy: (times) => Math.min(times * 50, 1000),
  })
  subscriber.on("error", () => undefined)
  // The proof that no invalidation is missing: see ReadCache.fresh.
  const heartbeat = setInterval(() => {
    if (subscriber.status !== "ready") return
    const sent = Date.now()
    subscriber.ping().then(
      () => cache.heard(sent),
      () => undefined,
    )
  }, HEARTBEAT_MS)
  heartbeat.unref()
  subscriber.on("messageBuffer", (_channel: Buffer, keys: Buffer[] | null) => {
    // null: the whole keyspace changed (FLUSHALL, or Redis dropped its tracking table).
    if (keys === null) cache.clear()
    else for (const key of keys) cache.invalidate(key.toString("utf8"))
  })

  let subscribedId: string | undefined
  let closed = false
  let queue = Promise.resolve()
  const setUp = async () => {
    cache.deactivate()
    if (closed || data.status !== "ready" || subscriber.status !== "ready") return
    if (subscribedId === undefined) {
      const id = String(await subscriber.client("ID"))
      await subscriber.subscribe(CHANNEL)
      subscribedId = id
    }
    // Turned off first: a tracking connection cannot switch to another redirect.
    await data.call("CLIENT", "TRACKING", "OFF")
    await data.call("CLIENT", "TRACKING", "ON", "REDIRECT", subscribedId)
    if (!closed && data.status === "ready" && subscriber.status === "ready") cache.activate()
  }
  // One set-up at a time; a failed one leaves the cache off until the next reconnect.
  const again = () => {
    queue = queue.then(setUp).catch(() => cache.deactivate())
  }
  const lost = () => cache.deactivate()
  // Wait for the subscriber once, so the cache is on as soon as the driver is open.
  await readyOrTimeout(subscriber, timeoutMs)
  subscriber.on("close", () => {
    subscribedId = undefined
    lost()
  })
  data.on("close", lost)
  subscriber.on("ready", again)
  data.on("ready", again)
  again()
  await queue
  return {
    close() {
      closed = true
      clearInterval(heartbeat)
      cache.deactivate()
      data.off("close", lost)
      data.off("ready", again)
      subscriber.disconnect()
    },
  }
}
