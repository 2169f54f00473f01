import type { ModuleContext } from "./module.js"

/** Which runtime this code is running on, read once. */
export function detectRuntime(): ModuleContext["runtime"] {
  const userAgent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent
  if (userAgent === "Cloudflare-Workers") return "workers"
  const processLike = (globalThis as { process?: { versions?: { node?: string } } }).process
  return processLike?.versions?.node ? "node" : "other"
}

/** The environment modules read when the caller gives none: `process.env` on Node.js. */
export function defaultEnv(): Readonly<Record<string, unknown>> {
  const processLike = (globalThis as { process?: { env?: Record<string, unknown> } }).process
  return processLike?.env ?? {}
}
