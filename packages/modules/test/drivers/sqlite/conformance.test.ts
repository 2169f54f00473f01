// The storage.kv contract on SQLite files in a temp dir: once with every
// store on one connection, once with a connection per store on one file.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { KVDriver } from "@layeron/modules"
import { type SqliteDriver, sqliteDriver } from "@layeron/modules/drivers/sqlite"
import { runKVConformance } from "@layeron/modules/testing"

const dir = mkdtempSync(join(tmpdir(), "layeron-conformance-"))

const sharedPath = join(dir, "shared.db")
const shared = sqliteDriver({ path: sharedPath })

runKVConformance({
  name: "sqlite",
  driver: () => shared,
  secondConnection: () => sqliteDriver({ path: sharedPath }),
  otherProcessUrl: () => `sqlite:${sharedPath}`,
  cleanup: () => shared.close(),
})

const perStorePath = join(dir, "per-store.db")
const connections: SqliteDriver[] = []

runKVConformance({
  name: "sqlite, a connection per store on one file",
  driver: (): KVDriver => {
    const connection = sqliteDriver({ path: perStorePath })
    connections.push(connection)
    return connection
  },
  secondConnection: () => sqliteDriver({ path: perStorePath }),
  otherProcessUrl: () => `sqlite:${perStorePath}`,
  cleanup: () => {
    for (const connection of connections) connection.close()
    rmSync(dir, { recursive: true, force: true })
  },
})
