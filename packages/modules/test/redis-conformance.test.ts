// The storage.kv contract on a real redis-server started on a free port.
import { redisDriver } from "@layeron/modules/drivers/redis"
import { runKVConformance } from "@layeron/modules/testing"
import { RedisServer } from "./support/redis-server.ts"

const server = await new RedisServer().start()
const driver = await redisDriver({ url: server.url })

runKVConformance({
  name: "redis",
  driver: () => driver,
  cleanup: async () => {
    await driver.close()
    await server.dispose()
  },
})
