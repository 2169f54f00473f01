// The thread a sweep runs on (see sweep.ts): its own connection to the
// store's file, expired rows deleted in batches through the expiry index. The
// sweep's writes, and the automatic WAL checkpoints its commits trigger (with
// their fsyncs), happen here, so the app's event loop never waits for them.
import { parentPort, workerData } from "node:worker_threads"
import Database from "better-sqlite3"
import { SWEEP_SQL } from "./sql.js"
import type { SweepReply, SweepRequest } from "./sweep.js"

const { path, busyTimeoutMs, batchSize, now, stop } = workerData as SweepRequest

function sweep(): number {
  const db = new Database(path, { timeout: busyTimeoutMs, fileMustExist: true })
  try {
    db.pragma("synchronous = NORMAL")
    const statement = db.prepare(SWEEP_SQL)
    let removed = 0
    // The store closing sets the flag: stop after this batch.
    while (Atomics.load(stop, 0) === 0) {
      const { changes } = statement.run(now, batchSize)
      removed += changes
      if (changes < batchSize) break
    }
    return removed
  } finally {
    db.close()
  }
}

let reply: SweepReply
try {
  reply = { removed: sweep() }
} catch (error) {
  const { message, code } = error as { message?: string; code?: string }
  reply = { error: { message: String(message ?? error), code: typeof code === "string" ? code : undefined } }
}
parentPort?.postMessage(reply)
