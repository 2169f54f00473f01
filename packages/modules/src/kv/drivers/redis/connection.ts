import type { Cluster, Redis, RedisOptions } from "ioredis"
import type { RedisConfig } from "./url.js"

export type RedisClient = Redis | Cluster

/**
 * Fail fast, recover by itself: with Redis down, a command is refused at once
 * (no offline queue) or times out, instead of waiting for a reconnect that may
 * never come; the client keeps reconnecting in the background, at most a
 * second apart, so the app recovers without a restart.
 */
function nodeOptions(config: RedisConfig, timeoutMs: number) {
  return {
    username: config.username,
    password: config.password,
    tls: config.tls ? {} : undefined,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    // A command in flight when the connection drops fails now, not after a reconnect.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  } satisfies RedisOptions
}

/**
 * Opens a client (ioredis, loaded only now) and waits until it is ready, or
 * until `timeoutMs` has passed: an app that starts while Redis is down still
 * starts, answers 503 meanwhile, and recovers when Redis comes up.
 */
export async function openClient(config: RedisConfig, timeoutMs: number): Promise<RedisClient> {
  const { Redis, Cluster } = await import("ioredis")
  const options = nodeOptions(config, timeoutMs)
  const client: RedisClient = config.cluster
    ? new Cluster(
        config.nodes.map(({ host, port }) => ({ host, port })),
        {
          // The cluster queues and reconnects its node connections itself.
          redisOptions: options,
          enableOfflineQueue: false,
          // Not auto-pipelining: ioredis 6 then hands a MOVED reply to the caller instead of
          // following it, so a cluster whose master came back never recovered (measured).
          clusterRetryStrategy: (times) => Math.min(times * 100, 1000),
          slotsRefreshTimeout: timeoutMs,
          retryDelayOnClusterDown: 100,
          retryDelayOnTryAgain: 100,
        },
      )
    : new Redis({
        ...options,
        host: config.nodes[0]?.host,
        port: config.nodes[0]?.port,
        db: config.db,
        enableOfflineQueue: false,
        retryStrategy: (times) => Math.min(times * 50, 1000),
      })
  // Errors reach the caller of each command; the event would only be logged as unhandled.
  client.on("error", () => undefined)
  await readyOrTimeout(client, timeoutMs)
  return client
}

/** Resolves once `client` is ready, or after `timeoutMs` either way: the client goes on connecting by itself. */
export function readyOrTimeout(client: RedisClient, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs)
    client.once("ready", done)
    function done() {
      clearTimeout(timer)
      client.off("ready", done)
      resolve()
    }
  })
}

/** Closes politely when Redis answers, at once when it does not; stops reconnecting either way. */
export async function closeClient(client: RedisClient, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([
    client.quit().catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs)
    }),
  ])
  clearTimeout(timer)
  client.disconnect()
}
