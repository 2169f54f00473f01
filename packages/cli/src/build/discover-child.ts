// Run by `discoverBindings` in a child process: loads the app's entry on
// Node.js and reports what its modules need bound on Workers, as the app
// itself declared them with `app.use()`.
import { loadApp } from "../load-app.js"
import { isOneLineError } from "../user-error.js"
import type { DiscoveryMessage, ModuleBinding } from "./discover.js"

async function discover(entryPath: string): Promise<DiscoveryMessage> {
  try {
    const app = await loadApp(entryPath, { registerTsx: true })
    const bindings: ModuleBinding[] = []
    for (const module of app.modules) {
      // A strong store's shard count: the tools that open its objects from Node.js must use the same.
      const shards = (module as { shards?: unknown }).shards
      for (const binding of module.workersBindings?.() ?? []) {
        bindings.push({ ...binding, module: module.name, ...(typeof shards === "number" ? { shards } : {}) })
      }
    }
    return { ok: true, bindings }
  } catch (error) {
    if (isOneLineError(error)) return { ok: false, message: error.message }
    return {
      ok: false,
      message: `${entryPath} failed to load: ${error instanceof Error ? error.stack : String(error)}`,
    }
  }
}

const message = await discover(process.argv[2] as string)
// Exit right away: whatever the entry started (timers, a server) must not keep the build waiting.
process.send?.(message, () => process.exit(0))
