import { cpSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { PackageManager } from "./package-manager.js"

const TEMPLATE = new URL("../template/", import.meta.url)

/** What the scaffolded project depends on, beside Layeron's own packages (released together, one version). */
const DEV_TOOLS = {
  "@types/node": "^20.19.43",
  tsx: "^4.23.15",
  typescript: "^5.9.3",
}

export interface ProjectOptions {
  name: string
  layeronVersion: string
  packageManager: PackageManager
}

/** Writes the template into `dir` (which exists and is empty), then the files that carry the project's name. */
export function writeProject(dir: string, options: ProjectOptions): void {
  cpSync(TEMPLATE, dir, { recursive: true })
  // npm never packs a file named .gitignore, so the template holds it without the dot.
  renameSync(join(dir, "gitignore"), join(dir, ".gitignore"))
  const readme = join(dir, "README.md")
  writeFileSync(
    readme,
    readFileSync(readme, "utf8")
      .replaceAll("{{name}}", options.name)
      .replaceAll("{{pm}}", options.packageManager.name)
      .replaceAll("{{run}}", options.packageManager.run),
  )
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest(options), null, 2)}\n`)
}

function manifest({ name, layeronVersion }: ProjectOptions) {
  const layeron = `^${layeronVersion}`
  return {
    name,
    version: "0.0.0",
    private: true,
    type: "module",
    scripts: {
      dev: "layeron dev app.ts",
      start: "layeron start app.ts",
      build: "layeron build --target cloudflare app.ts",
      test: "node --import tsx --test test/app.test.ts",
      typecheck: "tsc",
    },
    dependencies: { "@layeron/core": layeron, "@layeron/modules": layeron },
    devDependencies: { layeron, ...DEV_TOOLS },
    engines: { node: ">=20" },
  }
}
