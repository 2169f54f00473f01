import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"
import { runKVConformance } from "@layeron/modules/testing"

const dir = mkdtempSync(join(tmpdir(), "layeron-conformance-"))
const driver = sqliteDriver({ path: join(dir, "kv.db") })

runKVConformance({
  name: "sqlite",
  driver: () => driver,
  cleanup: () => {
    driver.close()
    rmSync(dir, { recursive: true, force: true })
  },
})
