import type { Backend } from "./backend.js"

// A global registry, so that `layeron start` finds the app an entry file
// created even if that file exports nothing (as the docs' examples do), and
// even if the entry loaded its own copy of this package.
const REGISTRY = Symbol.for("layeron.backends")

// biome-ignore lint/suspicious/noExplicitAny: an app of any environment and variables types
export type AnyBackend = Backend<any, any>

type RegistryHolder = { [REGISTRY]?: AnyBackend[] }

export function registerBackend(app: AnyBackend): void {
  const holder = globalThis as RegistryHolder
  holder[REGISTRY] ??= []
  holder[REGISTRY].push(app)
}

/** The apps created by `backend()` in this process, oldest first. */
export function createdBackends(): readonly AnyBackend[] {
  return (globalThis as RegistryHolder)[REGISTRY] ?? []
}

export function isBackend(value: unknown): value is AnyBackend {
  return typeof value === "object" && value !== null && (value as { [REGISTRY]?: true })[REGISTRY] === true
}

export const BACKEND_BRAND = REGISTRY
