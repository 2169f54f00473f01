import { type Clock, defaultClock } from "./clock.js"
import type { KVDriver } from "./driver.js"
import { type DriverSpec, openDriver } from "./driver-url.js"

interface Shared {
  driver: Promise<KVDriver>
  users: number
}

const shared = new Map<string, Shared>()

// A shared driver sweeps by the default clock, which tests may move.
const followDefaultClock: Clock = { now: () => defaultClock().now() }

/**
 * The driver for a URL, shared by every store that names the same backend in
 * this process (one SQLite connection, one memory map). Release it when done:
 * the last release closes it. Drivers load on demand, so an app on SQLite
 * never loads a Redis client.
 */
export function acquireDriver(spec: DriverSpec): { driver: Promise<KVDriver>; release: () => Promise<void> } {
  // Specs are plain data: the same backend gives the same text.
  const key = JSON.stringify(spec)
  let entry = shared.get(key)
  if (entry === undefined) {
    const opening = openDriver(spec, followDefaultClock)
    const created: Shared = { driver: opening, users: 0 }
    entry = created
    shared.set(key, created)
    opening.catch(() => {
      if (shared.get(key) === created) shared.delete(key)
    })
  }
  entry.users++
  const held = entry
  let released = false
  const release = async () => {
    if (released) return
    released = true
    held.users--
    if (held.users > 0) return
    if (shared.get(key) === held) shared.delete(key)
    const driver = await held.driver.catch(() => undefined)
    await driver?.close()
  }
  return { driver: held.driver, release }
}
