import { memoryDriver } from "@layeron/modules/drivers/memory"
import { runKVConformance } from "@layeron/modules/testing"

const driver = memoryDriver()

runKVConformance({ name: "memory", driver: () => driver, cleanup: () => driver.close() })
