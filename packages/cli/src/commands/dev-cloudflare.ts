import { type FSWatcher, watch } from "node:fs"
import { basename, dirname, join } from "node:path"
import { Miniflare } from "miniflare"
import { buildCloudflare, type CloudflareBuild } from "../build/cloudflare.js"
import { workerOptions } from "../build/miniflare.js"
import { cloudflareInspector } from "../inspector/cloudflare.js"
import { resolveEntry } from "../load-app.js"
import { listenSettings, type ServeFlags } from "../options.js"
import { describeFailure } from "../report.js"

export interface DevCloudflareOptions extends ServeFlags {
  entry: string | undefined
}

/** Where the dev build goes, and where local KV and strong stores' (Durable Objects) data live between runs. */
const BUILD_DIR = join(".layeron", "cloudflare")
const KV_DIR = join(".layeron", "cloudflare-kv")
const DO_DIR = join(".layeron", "cloudflare-do")
/** Editors write a file in several steps: wait for the last before rebuilding. */
const SETTLE_MS = 100

/**
 * `layeron dev --target cloudflare <entry>`: builds the Worker as a deploy
 * would and runs it in workerd (Miniflare), with each store's KV namespace
 * and each strong store's Durable Objects persisted under .layeron/, rebuilding whenever a file the app imports
 * changes, until SIGINT or SIGTERM.
 */
export async function devCloudflare(options: DevCloudflareOptions): Promise<number> {
  const entryPath = resolveEntry(options.entry, "dev --target cloudflare")
  const { port, hostname } = listenSettings(options)
  const command = `layeron dev --target cloudflare ${options.entry}`
  let built = await buildCloudflare(entryPath, BUILD_DIR, command)
  const inspector = cloudflareInspector({
    entryPath,
    hostname: hostname ?? "127.0.0.1",
    bindings: () => built.bindings,
  })
  const runtimeOptions = () => ({
    ...inspector.wrap(workerOptions(built.configPath)),
    kvPersist: KV_DIR,
    durableObjectsPersist: DO_DIR,
  })
  const mf = new Miniflare({ ...runtimeOptions(), port, host: hostname ?? "127.0.0.1" })
  const url = await mf.ready
  console.log(
    `layeron dev: serving ${options.entry} at ${url.origin} in workerd (KV in ${KV_DIR}, strong stores in ${DO_DIR}, ${size(built)})`,
  )
  console.log(inspector.line(url.origin))

  let rebuilding: Promise<void> = Promise.resolve()
  const rebuild = () => {
    rebuilding = rebuilding.then(async () => {
      try {
        built = await buildCloudflare(entryPath, BUILD_DIR, command)
        await mf.setOptions({
          ...runtimeOptions(),
          port: url.port === "" ? port : Number(url.port),
          host: url.hostname,
        })
        console.log(`layeron dev: rebuilt ${options.entry} (${size(built)})`)
      } catch (error) {
        // The last good build keeps serving; the next save is the fix.
        console.error(describeFailure(error, options.entry))
      }
      watcher.watch(built.inputs)
    })
  }
  const watcher = new InputWatcher(rebuild)
  watcher.watch(built.inputs)

  // Miniflare stops workerd on SIGINT/SIGTERM and exits 128 + the signal's
  // number, as `wrangler dev` does; until then this serves.
  return new Promise<number>(() => {})
}

function size(built: CloudflareBuild): string {
  return `${(built.gzipBytes / 1024).toFixed(1)} KB gzipped`
}

/** Watches the folders of the bundle's inputs (a file replaced on save keeps being seen) and reports a change once it settles. */
class InputWatcher {
  private watchers: FSWatcher[] = []
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly onChange: () => void) {}

  watch(inputs: readonly string[]): void {
    this.closeWatchers()
    const files = new Set(inputs)
    for (const dir of new Set(inputs.map((input) => dirname(input)))) {
      const watcher = watch(dir, (_event, filename) => {
        if (filename === null || !files.has(join(dir, basename(filename)))) return
        clearTimeout(this.timer)
        this.timer = setTimeout(this.onChange, SETTLE_MS)
      })
      watcher.on("error", () => watcher.close())
      this.watchers.push(watcher)
    }
  }

  private closeWatchers(): void {
    for (const watcher of this.watchers) watcher.close()
    this.watchers = []
  }
}
