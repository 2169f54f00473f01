// The storage.kv contract on a real redis-server started on a free port,
// without and with the read cache (which must change nothing but speed).
import { redisDriver } from "@layeron/modules/drivers/redis"
import { runKVConformance } from "@layeron/modules/testing"
import { RedisServer } from "@layeron/test-support/redis-server"

const server = await new RedisServer().start()
const driver = await redisDriver({ url: server.url })
const cachedUrl = `${server.url}?cache=on`
const cached = await redisDriver({ url: cachedUrl })

runKVConformance({
  name: "redis",
  driver: () => driver,
  secondConnection: () => redisDriver({ url: server.url }),
  otherProcessUrl: () => server.url,
  cleanup: () => driver.close(),
})

runKVConformance({
  name: "redis with the read cache",
  driver: () => cached,
  // Another process with its own cache: its writes must evict this one's copies at once.
  secondConnection: () => redisDriver({ url: cachedUrl }),
  otherProcessUrl: () => cachedUrl,
  cleanup: async () => {
    await cached.close()
    await server.dispose()
  },
})
