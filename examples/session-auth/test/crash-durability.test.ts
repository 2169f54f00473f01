// Crash durability of the docs' example on its default store, SQLite, with
// real processes: `layeron start` killed with SIGKILL again and again while
// clients log in, then restarted on the same file; and two processes serving
// one file at once. A login that was answered 200 is a promise: its session
// must answer 200 afterwards, and no request may ever see SQLITE_BUSY.
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { type CliServer, startExample } from "./support/cli-server.ts"
import { exchange, httpRequest, type RawReply } from "./support/raw-http.ts"

const ROUNDS = 4
const CLIENTS = 12

const dir = mkdtempSync(join(tmpdir(), "layeron-crash-"))
const running = new Set<CliServer>()

after(async () => {
  for (const server of running) process.kill(server.pid, "SIGKILL")
  await Promise.all([...running].map((server) => server.exit))
  rmSync(dir, { recursive: true, force: true })
})

async function start(kvUrl: string): Promise<CliServer> {
  const server = await startExample(kvUrl)
  running.add(server)
  void server.exit.then(() => running.delete(server))
  return server
}

function bodyOf(reply: RawReply): string {
  const start = reply.raw.indexOf("\r\n\r\n")
  return start === -1 ? "" : reply.raw.slice(start + 4)
}

/** The token of a login that was answered in full, or undefined when the answer was cut off. */
function answeredToken(reply: RawReply): string | undefined {
  if (reply.status !== 200) return undefined
  try {
    return (JSON.parse(bodyOf(reply)) as { token?: string }).token
  } catch {
    return undefined
  }
}

function login(server: CliServer, index: number): Promise<RawReply> {
  const body = JSON.stringify({ email: `user${index}@example.com`, rememberMe: index % 2 === 0 })
  return exchange(server.port, [httpRequest("POST", "/api/auth/login", { "Content-Type": "application/json" }, body)])
}

function profile(server: CliServer, token: string): Promise<RawReply> {
  return exchange(server.port, [httpRequest("GET", "/api/profile", { Authorization: `Bearer ${token}` })])
}

/** Runs `work` over `items` with `concurrency` at a time. */
async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++] as T)
  })
  await Promise.all(lanes)
}

describe("crash durability on SQLite", () => {
  it(`kill -9 under concurrent logins, ${ROUNDS} rounds: every answered login survives the restart`, async () => {
    const kvUrl = `sqlite:${join(dir, "killed.db")}`
    const answered: string[] = []
    const serverErrors: string[] = []
    let cutOff = 0
    let counter = 0
    for (let round = 0; round < ROUNDS; round++) {
      const server = await start(kvUrl)
      // Sessions answered before earlier kills are all still there.
      for (const token of answered.slice(-50)) assert.equal((await profile(server, token)).status, 200, token)
      let dead = false
      const clients = Array.from({ length: CLIENTS }, async () => {
        while (!dead) {
          const reply = await login(server, counter++)
          const token = answeredToken(reply)
          if (token !== undefined) answered.push(token)
          else if (reply.status >= 500) serverErrors.push(reply.raw)
          else cutOff++
        }
      })
      // Kill at a different point of the load each round.
      await new Promise((resolve) => setTimeout(resolve, 150 + round * 90))
      process.kill(server.pid, "SIGKILL")
      const exit = await server.exit
      dead = true
      await Promise.all(clients)
      assert.equal(exit.code, 137, "killed by SIGKILL")
      assert.ok(existsSync(`${join(dir, "killed.db")}-wal`), "the kill left a write-ahead log to recover from")
    }
    assert.deepEqual(serverErrors, [], "no login was answered with a 5xx")
    assert.ok(answered.length > ROUNDS * 20, `only ${answered.length} logins were answered`)

    const server = await start(kvUrl)
    const lost: string[] = []
    await eachLimited(answered, 8, async (token) => {
      const reply = await profile(server, token)
      if (reply.status !== 200) lost.push(`${token}: ${reply.status}`)
    })
    assert.deepEqual(lost, [], `${lost.length} of ${answered.length} answered sessions were lost`)
    console.log(
      `crash durability: ${ROUNDS} kills, ${answered.length} answered logins all survived, ${cutOff} requests cut off by the kills`,
    )
    process.kill(server.pid, "SIGTERM")
    assert.equal((await server.exit).code, 0)
  })

  it("two processes serving one SQLite file: nothing lost, never a 5xx (SQLITE_BUSY)", async () => {
    const kvUrl = `sqlite:${join(dir, "shared.db")}`
    const [a, b] = await Promise.all([start(kvUrl), start(kvUrl)])
    assert.ok(a && b)
    const servers = [a, b]
    const tokens: { token: string; madeOn: number }[] = []
    const failures: string[] = []
    let operations = 0
    let counter = 0
    const deadline = performance.now() + 2000
    // Each client logs in on one process and reads the session back on the other, at once.
    const clients = Array.from({ length: CLIENTS }, async (_, client) => {
      while (performance.now() < deadline) {
        const on = (client + counter) % 2
        const reply = await login(servers[on] as CliServer, counter++)
        operations++
        const token = answeredToken(reply)
        if (token === undefined) {
          failures.push(`login: ${reply.status} ${reply.error ?? ""} ${bodyOf(reply)}`)
          continue
        }
        tokens.push({ token, madeOn: on })
        const other = await profile(servers[1 - on] as CliServer, token)
        operations++
        if (other.status !== 200) failures.push(`profile on the other process: ${other.status} ${bodyOf(other)}`)
      }
    })
    await Promise.all(clients)
    assert.deepEqual(failures, [], "every request of both processes succeeded")

    const lost: string[] = []
    await eachLimited(tokens, 8, async ({ token }) => {
      for (const server of servers) {
        const reply = await profile(server, token)
        if (reply.status !== 200) lost.push(`${token} on ${server.port}: ${reply.status}`)
      }
    })
    assert.deepEqual(lost, [], "every session is visible to both processes")
    assert.ok(tokens.length > 50, `only ${tokens.length} logins in 2 s`)

    // A logout on one process ends the session on the other at its next request.
    const last = tokens.at(-1) as { token: string; madeOn: number }
    const logout = await exchange(a.port, [
      httpRequest("POST", "/api/auth/logout", { Authorization: `Bearer ${last.token}` }),
    ])
    assert.equal(logout.status, 200)
    assert.equal((await profile(b, last.token)).status, 401)

    console.log(`two processes on one file: ${operations} requests, ${tokens.length} sessions, no failure`)
    // One after the other: SQLite checkpoints and removes the WAL when the last connection closes, and two
    // connections closing at the same instant can each see the other still open and leave it behind.
    const exits = []
    for (const server of servers) {
      process.kill(server.pid, "SIGTERM")
      exits.push(await server.exit)
    }
    assert.deepEqual(
      exits.map((exit) => exit.code),
      [0, 0],
    )
    assert.ok(!existsSync(`${join(dir, "shared.db")}-wal`) || statSync(`${join(dir, "shared.db")}-wal`).size === 0)
  })
})
