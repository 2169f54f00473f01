import type { Socket } from "node:net"
import type { PoolClient } from "pg"

interface Watched {
  readonly progress: () => number
  last: number
  since: number
  readonly quietMs: number
  readonly fail: (error: Error) => void
}

/**
 * Fails what has made no progress for `ms`: a query whose connection has
 * moved no byte (nothing received, nothing of what is queued sent), or a
 * call waiting for a free connection while no query of the driver has
 * finished. So a silent server (hung, or cut off by the network) fails calls
 * within about `ms`, while a 25 MiB value still streaming, or a burst of
 * calls queued behind busy connections on a loaded machine, is not cut short
 * (a fixed timeout would fail both). One timer for all, running only while
 * something is watched.
 */
export class Watchdog {
  private readonly watched = new Set<Watched>()
  private timer: ReturnType<typeof setInterval> | undefined
  /** How many watched queries have finished: what a call waiting for a connection counts as progress. */
  finished = 0

  constructor(private readonly ms: number) {}

  /**
   * `work`, or an ETIMEDOUT error once `progress()` has not changed for `ms`
   * and `extraMs` (a large value's write, which the server takes a while to
   * store before it answers).
   */
  watch<T>(work: Promise<T>, progress: () => number, countsAsFinished: boolean, extraMs = 0): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const quietMs = this.ms + extraMs
      const entry: Watched = { progress, last: progress(), since: performance.now(), quietMs, fail: reject }
      this.watched.add(entry)
      if (this.timer === undefined) {
        this.timer = setInterval(() => this.check(), this.ms / 4)
        // The watched socket keeps the process alive while it matters; the timer alone must not.
        this.timer.unref()
      }
      work.then(
        (value) => {
          this.watched.delete(entry)
          if (countsAsFinished) this.finished++
          resolve(value)
        },
        (error: unknown) => {
          this.watched.delete(entry)
          reject(error)
        },
      )
    })
  }

  private check(): void {
    const now = performance.now()
    for (const entry of this.watched) {
      const progress = entry.progress()
      if (progress !== entry.last) {
        entry.last = progress
        entry.since = now
      } else if (now - entry.since >= entry.quietMs) {
        this.watched.delete(entry)
        entry.fail(Object.assign(new Error(`no answer in ${Math.round(entry.quietMs)} ms`), { code: "ETIMEDOUT" }))
      }
    }
    if (this.watched.size === 0) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }
}

/** Bytes a pg client's connection has moved (pg's `connection.stream`, there since pg 7). */
export function bytesMoved(client: PoolClient): () => number {
  const socket = (client as unknown as { connection?: { stream?: Socket } }).connection?.stream
  if (socket === undefined) return () => 0
  return () => socket.bytesRead + socket.bytesWritten - socket.writableLength
}
