import { basename, resolve } from "node:path"

/** A package name npm accepts, from the folder's name: `My App!` gives `my-app`. */
export function packageNameFor(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+|[.-]+$/g, "")
    .slice(0, 214)
  return name === "" ? "layeron-app" : name
}
