/**
 * A call to the backend, tried again while the store says the backend is
 * unavailable for now (KV_UNAVAILABLE: a Redis command that timed out on a
 * busy machine, a 429 from Workers KV), waiting longer each time. A move of a
 * million entries should not stop at the first slow second; a put of the same
 * entry again writes the same thing. Any other error is thrown at once.
 */
const WAITS_MS = [250, 500, 1000, 2000, 4000, 8000]

export async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      await waitOrThrow(error, attempt)
    }
  }
}

/** Waits before try `attempt + 1` of a call that failed with `error`, or throws it when it is not worth another. */
export async function waitOrThrow(error: unknown, attempt: number): Promise<void> {
  const wait = WAITS_MS[attempt]
  if ((error as { code?: unknown } | null)?.code !== "KV_UNAVAILABLE" || wait === undefined) throw error
  await new Promise((resolve) => setTimeout(resolve, wait))
}
