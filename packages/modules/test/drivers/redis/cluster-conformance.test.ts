// The storage.kv contract on a real three-master Redis Cluster started by the test.
import { redisDriver } from "@layeron/modules/drivers/redis"
import { runKVConformance } from "@layeron/modules/testing"
import { startCluster } from "./support/redis-server.ts"

const cluster = await startCluster(3)
const driver = await redisDriver({ url: cluster.url })

runKVConformance({
  name: "redis cluster",
  driver: () => driver,
  secondConnection: () => redisDriver({ url: cluster.url }),
  cleanup: async () => {
    await driver.close()
    await cluster.dispose()
  },
})
