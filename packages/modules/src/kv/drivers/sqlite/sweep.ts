import { Worker } from "node:worker_threads"
import type { KVError } from "../../errors.js"
import { sqliteError } from "./errors.js"

/** What a sweep thread is given (its workerData). */
export interface SweepRequest {
  path: string
  busyTimeoutMs: number
  batchSize: number
  /** Rows that expire at or before this time (the store's clock) are removed. */
  now: number
  /** Set to 1 to stop after the current batch. */
  stop: Int32Array
}

/** What a sweep thread answers. */
export type SweepReply = { removed: number } | { error: { message: string; code: string | undefined } }

/**
 * Removes expired rows on a worker thread with its own connection. A sweep on
 * the app's thread held the event loop up to 36 ms at a time even in steps of
 * about 2 ms: removing rows from random pages and checkpointing them waits on
 * the disk (bench/sweep.ts). SQLite's WAL lets the app read meanwhile; an
 * app's write waits at most for one batch. A thread lives for one sweep, so
 * an idle store holds no thread.
 */
export class SweepThread {
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4))
  readonly done: Promise<number>

  constructor(options: Omit<SweepRequest, "stop">) {
    const request: SweepRequest = { ...options, stop: this.stopFlag }
    // Plain JavaScript: not the app's loaders (tsx under `layeron dev`), whose start-up would compete with the app for CPU.
    const worker = new Worker(new URL("./sweep-worker.js", import.meta.url), {
      workerData: request,
      execArgv: [],
    })
    // A sweep never keeps the process alive; on exit SQLite's journal keeps the file whole.
    worker.unref()
    this.done = new Promise<number>((resolve, reject) => {
      worker.once("message", (reply: SweepReply) => {
        if ("removed" in reply) resolve(reply.removed)
        else reject(sweepError(options.path, reply.error.message, reply.error.code))
      })
      worker.once("error", (error) => reject(sweepError(options.path, error.message, undefined)))
      worker.once("exit", () =>
        reject(sweepError(options.path, "the sweep thread stopped before answering", undefined)),
      )
    })
  }

  /** Stops after the current batch; `done` then resolves with what was removed so far. */
  stop(): void {
    Atomics.store(this.stopFlag, 0, 1)
  }
}

function sweepError(path: string, message: string, code: string | undefined): KVError {
  return sqliteError(Object.assign(new Error(message), { code }), path, "sweep")
}
