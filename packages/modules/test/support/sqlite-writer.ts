// Writes `count` keys "<name>:<i>" to the SQLite file given, one put at a
// time, and overwrites the key "both" each time, reading it back, so that
// two of these processes contend for the same file and the same row.
import { kv } from "@layeron/modules"
import { sqliteDriver } from "@layeron/modules/drivers/sqlite"

const [path, name, count] = process.argv.slice(2) as [string, string, string]
const driver = sqliteDriver({ path })
const store = kv({ name: "shared", driver })
for (let index = 0; index < Number(count); index++) {
  await store.put(`${name}:${index}`, String(index))
  await store.put("both", `${name}:${index}`)
  if ((await store.get(`${name}:${index}`)) === null) throw new Error(`${name}:${index} was not read back`)
  if (index % 100 === 0) await new Promise((resolve) => setImmediate(resolve))
}
driver.close()
