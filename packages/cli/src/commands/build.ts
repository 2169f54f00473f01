import { relative } from "node:path"
import { buildCloudflare, DEFAULT_OUTDIR } from "../build/cloudflare.js"
import { resolveEntry } from "../load-app.js"
import { UserError } from "../user-error.js"

export interface BuildOptions {
  entry: string | undefined
  target: string | undefined
  outdir: string | undefined
}

/** `layeron build --target cloudflare <entry> [--outdir DIR]`: a Worker bundle and its wrangler.jsonc. */
export async function build(options: BuildOptions): Promise<number> {
  if (options.target !== "cloudflare") {
    const given = options.target === undefined ? "no --target" : `--target ${options.target}`
    throw new UserError(`layeron build takes --target cloudflare (the one target so far), got ${given}`)
  }
  const entryPath = resolveEntry(options.entry, "build --target cloudflare")
  const outdir = options.outdir ?? DEFAULT_OUTDIR
  const command = `layeron build --target cloudflare ${options.entry}${options.outdir ? ` --outdir ${outdir}` : ""}`
  const result = await buildCloudflare(entryPath, outdir, command)
  const worker = relative(".", result.workerPath)
  const config = relative(".", result.configPath)
  console.log(`layeron build: ${worker} (${kb(result.bytes)}, ${kb(result.gzipBytes)} gzipped)`)
  const kv = result.bindings.filter((binding) => binding.type === "kv_namespace").map((binding) => binding.binding)
  const objects = result.bindings.flatMap((binding) =>
    binding.type === "durable_object_namespace" ? [binding.binding] : [],
  )
  const names = kv.join(", ")
  const strong =
    objects.length === 0 ? "" : `, ${count(objects.length, "Durable Object namespace")}: ${objects.join(", ")}`
  console.log(`layeron build: ${config} with ${count(kv.length, "KV namespace")}${names ? `: ${names}` : ""}${strong}`)
  if (result.addedClasses.length > 0) {
    console.log(
      `layeron build: a new migration creates ${result.addedClasses.join(", ")} (SQLite-backed) when deployed`,
    )
  }
  for (const binding of result.missingIds) {
    console.log(`  to do: npx wrangler kv namespace create ${binding}, then put its id in ${config}`)
  }
  console.log(`layeron build: deploy with npx wrangler deploy -c ${config}`)
  return 0
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`
}
