import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { WorkersBinding } from "@layeron/core"
import { UserError } from "../user-error.js"

/** A binding and the module that reads it; a strong store's carries its shard count when it sets one. */
export type ModuleBinding = WorkersBinding & { readonly module: string; readonly shards?: number }

export type DiscoveryMessage =
  | { readonly ok: true; readonly bindings: ModuleBinding[] }
  | { readonly ok: false; readonly message: string }

const TIMEOUT_MS = 30_000

/**
 * What the app's modules need bound on Workers, one entry per binding. The
 * entry runs in a child process, so the build reads what `app.use()`
 * registered rather than guessing from the source text, and the build's own
 * process stays clean.
 */
export async function discoverBindings(entryPath: string): Promise<ModuleBinding[]> {
  const child = fork(fileURLToPath(new URL("./discover-child.js", import.meta.url)), [entryPath], {
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  })
  let stderr = ""
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const message = await new Promise<DiscoveryMessage | undefined>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new UserError(`Loading ${entryPath} to find its stores took over ${TIMEOUT_MS / 1000} s`))
    }, TIMEOUT_MS)
    let received: DiscoveryMessage | undefined
    child.on("message", (value) => {
      received = value as DiscoveryMessage
    })
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("exit", () => {
      clearTimeout(timer)
      resolve(received)
    })
  })
  if (message === undefined) throw new UserError(`Loading ${entryPath} failed: ${stderr.trim() || "it exited early"}`)
  if (!message.ok) throw new UserError(message.message)
  return uniqueBindings(message.bindings)
}

/** One entry per binding; two stores that map to one binding name would share a namespace, so that is an error. */
export function uniqueBindings(bindings: readonly ModuleBinding[]): ModuleBinding[] {
  const byName = new Map<string, ModuleBinding>()
  for (const binding of bindings) {
    const seen = byName.get(binding.binding)
    if (seen === undefined) byName.set(binding.binding, binding)
    else if (seen.module !== binding.module) {
      throw new UserError(
        `${seen.module} and ${binding.module} both need the Workers binding ${binding.binding}; rename one of them`,
      )
    }
  }
  return [...byName.values()]
}
