// The storage.kv contract on a private PostgreSQL the test starts (initdb in a
// temp folder, a free port), atomic rules and two-process races included.
import { postgresDriver } from "@layeron/modules/drivers/postgres"
import { runKVConformance } from "@layeron/modules/testing"
import { PostgresServer } from "@layeron/test-support/postgres-server"

const server = await new PostgresServer().start()
const driver = await postgresDriver({ url: server.url })

runKVConformance({
  name: "postgres",
  driver: () => driver,
  secondConnection: () => postgresDriver({ url: server.url }),
  otherProcessUrl: () => server.url,
  cleanup: async () => {
    await driver.close()
    await server.dispose()
  },
})
