import { KVError } from "../../errors.js"

// Replies that mean "Redis cannot serve this now" (a cluster without a quorum or
// whose slots are moving,
// a replica loading, a failover, memory full, refused credentials), not "the
// request is wrong": the app answers 503 and recovers when Redis does.
const UNAVAILABLE_REPLY =
  /^(CLUSTERDOWN|MOVED|ASK|LOADING|TRYAGAIN|MASTERDOWN|BUSY|OOM|READONLY|NOAUTH|WRONGPASS|NOPERM)\b/

/**
 * A Redis client's failure as a KVError. Connection failures (refused,
 * closed, timed out, offline) are `KV_UNAVAILABLE`; a bug is not disguised as
 * an outage.
 */
export function redisError(error: unknown, target: string, what: string): KVError {
  if (error instanceof KVError) return error
  const message = error instanceof Error ? error.message : String(error)
  const name = error instanceof Error ? error.name : ""
  const unavailable =
    name === "ReplyError" ? UNAVAILABLE_REPLY.test(message) : name !== "TypeError" && name !== "RangeError"
  return new KVError(
    unavailable ? "KV_UNAVAILABLE" : "KV_DRIVER_ERROR",
    `${target} ${unavailable ? "is unavailable" : "failed"} (${what}): ${message}`,
    { cause: error },
  )
}

/**
 * Rejects with `KV_UNAVAILABLE` when `promise` has not settled in `ms`. The
 * client's own command timeout covers one command; this bounds what a cluster
 * client may add on top (redirections, retries while the cluster is down).
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, target: string, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new KVError("KV_UNAVAILABLE", `${target} is unavailable (${what}): no answer in ${ms} ms`)),
      ms,
    )
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}
