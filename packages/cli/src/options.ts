import { UserError } from "./user-error.js"

export function parsePort(raw: string | undefined, source: string): number | undefined {
  if (raw === undefined || raw === "") return undefined
  const port = Number(raw)
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new UserError(`${source} must be a port number from 0 to 65535, got "${raw}"`)
  }
  return port
}
