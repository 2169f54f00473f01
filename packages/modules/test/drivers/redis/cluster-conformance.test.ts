// The storage.kv contract on a real three-master Redis Cluster started by the test.
import { redisDriver } from "@layeron/modules/drivers/redis"
import { runKVConformance } from "@layeron/modules/testing"
import { startCluster } from "@layeron/test-support/redis-server"

const cluster = await startCluster(3)
const driver = await redisDriver({ url: cluster.url })

runKVConformance({
  name: "redis cluster",
  driver: () => driver,
  secondConnection: () => redisDriver({ url: cluster.url }),
  otherProcessUrl: () => cluster.url,
  cleanup: async () => {
    await driver.close()
    await cluster.dispose()
  },
})
