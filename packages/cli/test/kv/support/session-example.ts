// The docs' session example served in this process on a fake clock (to move
// time), for tests that move its sessions with `layeron kv`: it logs sessions
// in on one backend and checks them, with their exact expiries, on another.
import assert from "node:assert/strict"
import type { Backend } from "@layeron/core"
import { createdBackends } from "@layeron/core/internal"
import { useFakeClock } from "@layeron/modules/testing"
import { EXAMPLE_APP } from "../../support/cli-process.ts"
import { kvCli, ok } from "./kv-cli.ts"

const DAY = 24 * 60 * 60
export const SESSION_STORE = "auth/user-sessions"

/** A 24-hour session, a 30-day one, and one logged out. */
export interface Sessions {
  day: string
  month: string
  gone: string
}

export class SessionExample {
  readonly clock = useFakeClock()
  private app: Backend<unknown> | undefined

  /** Imports the example once; its app is the last backend created. */
  async load(): Promise<this> {
    await import(EXAMPLE_APP)
    const created = createdBackends().at(-1)
    assert.ok(created, "the example created an app")
    this.app = created
    return this
  }

  async dispose(): Promise<void> {
    await this.app?.close()
    this.clock.restore()
  }

  private get backend(): Backend<unknown> {
    assert.ok(this.app, "load() first")
    return this.app
  }

  /** Serves the example on this backend from now on. */
  private async serveOn(kvUrl: string): Promise<void> {
    await this.backend.close()
    await this.backend.start({ LAYERON_KV: kvUrl })
  }

  private async login(body: object): Promise<string> {
    const response = await this.backend.fetch(
      new Request("http://app/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    )
    assert.equal(response.status, 200)
    return ((await response.json()) as { token: string }).token
  }

  private async profile(token: string): Promise<number> {
    const response = await this.backend.fetch(
      new Request("http://app/api/profile", { headers: { authorization: `Bearer ${token}` } }),
    )
    return response.status
  }

  /** `layeron kv list --json` of the session store on `kvUrl`: keys and exact expiries. */
  async listed(kvUrl: string): Promise<unknown> {
    const run = ok(await kvCli(["list", EXAMPLE_APP, SESSION_STORE, "--json"], { env: { LAYERON_KV: kvUrl } }))
    return JSON.parse(run.text)
  }

  /** Logs in a 24-hour and a 30-day session (and one to log out) on `kvUrl`, at the clock's now. */
  async makeSessions(kvUrl: string): Promise<Sessions> {
    this.clock.set(Date.now())
    await this.serveOn(kvUrl)
    const day = await this.login({ email: "day@example.com" })
    const month = await this.login({ email: "month@example.com", rememberMe: true })
    const gone = await this.login({ email: "gone@example.com" })
    await this.backend.fetch(
      new Request("http://app/api/auth/logout", { method: "POST", headers: { authorization: `Bearer ${gone}` } }),
    )
    await this.backend.close()
    return { day, month, gone }
  }

  /** The sessions verify on `kvUrl`, and end exactly 24 hours and 30 days after they were made. */
  async assertSessionsLive(kvUrl: string, sessions: Sessions): Promise<void> {
    const { clock } = this
    await this.serveOn(kvUrl)
    assert.equal(await this.profile(sessions.day), 200, "the 24-hour session verifies")
    assert.equal(await this.profile(sessions.month), 200, "the 30-day session verifies")
    assert.equal(await this.profile(sessions.gone), 401, "a logged-out session stays logged out")
    clock.advanceSeconds(DAY - 1)
    assert.equal(await this.profile(sessions.day), 200, "a second before 24 hours")
    clock.advanceSeconds(1)
    assert.equal(await this.profile(sessions.day), 401, "at 24 hours")
    assert.equal(await this.profile(sessions.month), 200)
    clock.advanceSeconds(29 * DAY - 1)
    assert.equal(await this.profile(sessions.month), 200, "a second before 30 days")
    clock.advanceSeconds(1)
    assert.equal(await this.profile(sessions.month), 401, "at 30 days")
    await this.backend.close()
  }
}
