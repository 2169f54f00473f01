import type { ListenOptions } from "@layeron/core"
import { UserError } from "./user-error.js"

/** What `dev` and `start` take on the command line; the environment fills the gaps. */
export interface ServeFlags {
  port: string | undefined
  host: string | undefined
}

/** Where to listen: `--port`, else `PORT`, else 3000; `--host`, else `HOST`, else every interface. */
export function listenSettings(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ListenOptions {
  const port = parsePort(flags.port, "--port") ?? parsePort(emptyAsUnset(env.PORT), "PORT") ?? 3000
  const hostname = emptyAsUnset(flags.host) ?? emptyAsUnset(env.HOST)
  return { port, hostname }
}

function parsePort(raw: string | undefined, source: string): number | undefined {
  if (raw === undefined) return undefined
  const port = Number(raw)
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new UserError(`${source} must be a port number from 0 to 65535, got "${raw}"`)
  }
  return port
}

// `PORT=` in a shell or a .env file means "not set", as it does for most servers.
function emptyAsUnset(value: string | undefined): string | undefined {
  return value === "" ? undefined : value
}
