// SIGTERM to `layeron start` serving the docs' example under load: requests
// in flight complete with 200, new connections are refused (never a 5xx), the
// SQLite store closes, the process exits 0, and after a restart on the same
// file every session whose login was answered is still there.
import assert from "node:assert/strict"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { connect } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { type CliServer, startExample } from "./support/cli-server.ts"
import { exchange, httpRequest, type Part, type RawReply } from "./support/raw-http.ts"

const CLIENTS = 12
const HELD = 5

const dir = mkdtempSync(join(tmpdir(), "layeron-shutdown-"))
const dbPath = join(dir, "kv.db")
const running = new Set<CliServer>()

after(async () => {
  for (const server of running) process.kill(server.pid, "SIGKILL")
  await Promise.all([...running].map((server) => server.exit))
  rmSync(dir, { recursive: true, force: true })
})

async function start(): Promise<CliServer> {
  const server = await startExample(`sqlite:${dbPath}`)
  running.add(server)
  void server.exit.then(() => running.delete(server))
  return server
}

function tokenOf(reply: RawReply): string | undefined {
  if (reply.status !== 200) return undefined
  try {
    return (JSON.parse(reply.raw.slice(reply.raw.indexOf("\r\n\r\n") + 4)) as { token?: string }).token
  } catch {
    return undefined
  }
}

function loginRequest(index: number): Buffer {
  const body = JSON.stringify({ email: `user${index}@example.com` })
  return httpRequest("POST", "/api/auth/login", { "Content-Type": "application/json" }, body)
}

/** Whether a new TCP connection to `port` is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    socket.once("connect", () => {
      socket.destroy()
      resolve(false)
    })
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"))
  })
}

describe("graceful shutdown of layeron start", () => {
  it("SIGTERM under load: in-flight requests complete, new ones are refused, the store closes, exit 0, nothing lost", async () => {
    const server = await start()
    let exited = false
    void server.exit.then(() => {
      exited = true
    })
    const answered: string[] = []
    const unexpected: string[] = []
    let refusedOrReset = 0
    let answeredAfterSignal = 0
    let signalled = false
    let stopped = false

    // Logins whose body is half sent when the signal comes: in flight for certain.
    const releases: (() => void)[] = []
    const held = Array.from({ length: HELD }, (_, index) => {
      const request = loginRequest(1_000_000 + index)
      const split = request.length - 8
      const rest = new Promise<void>((resolve) => releases.push(resolve))
      const parts: Part[] = [request.subarray(0, split)]
      return { reply: exchangeAfter(server.port, parts, rest, request.subarray(split)) }
    })

    let counter = 0
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (!stopped) {
        const sentBeforeSignal = !signalled
        const reply = await exchange(server.port, [loginRequest(counter++)])
        const token = tokenOf(reply)
        if (token !== undefined) {
          answered.push(token)
          if (sentBeforeSignal && signalled) answeredAfterSignal++
        } else if (reply.status === 0) {
          // Refused, or an idle connection closed by the drain before it carried a request.
          refusedOrReset++
          if (!signalled) unexpected.push(`connection failed before the signal: ${reply.error}`)
          await new Promise((resolve) => setTimeout(resolve, 5))
        } else {
          unexpected.push(`${reply.status}: ${reply.raw}`)
        }
      }
    })

    await new Promise((resolve) => setTimeout(resolve, 300))
    signalled = true
    process.kill(server.pid, "SIGTERM")
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(await refused(server.port), true, "a new connection is refused while draining")
    stopped = true
    await Promise.all(clients)

    // The process waits for the held requests; once they are sent in full, each completes.
    assert.ok(!exited, "the process waits while requests are in flight")
    for (const release of releases) release()
    const heldReplies = await Promise.all(held.map((request) => request.reply))
    for (const reply of heldReplies) {
      const token = tokenOf(reply)
      assert.ok(token, `a request in flight at SIGTERM got ${reply.status}:\n${reply.raw}`)
      answered.push(token)
    }

    const exit = await server.exit
    assert.deepEqual(exit, { code: 0, signal: null }, server.output())
    assert.deepEqual(unexpected, [], "every request was answered 200 or refused; never a 5xx")
    assert.ok(!existsSync(`${dbPath}-wal`), "the store closed: SQLite folded its write-ahead log back and removed it")

    const restarted = await start()
    const lost: string[] = []
    for (const token of answered) {
      const reply = await exchange(restarted.port, [
        httpRequest("GET", "/api/profile", { Authorization: `Bearer ${token}` }),
      ])
      if (reply.status !== 200) lost.push(`${token}: ${reply.status}`)
    }
    assert.deepEqual(lost, [], `${lost.length} of ${answered.length} sessions lost`)
    console.log(
      `graceful shutdown: ${answered.length} sessions kept (${HELD} held in flight, ${answeredAfterSignal} more answered after SIGTERM), ${refusedOrReset} connections refused or closed unused`,
    )
    process.kill(restarted.pid, "SIGTERM")
    assert.equal((await restarted.exit).code, 0)
  })
})

/** Sends `first`, waits for `release`, then sends `rest`; resolves with the reply. */
function exchangeAfter(port: number, first: Part[], release: Promise<void>, rest: Buffer): Promise<RawReply> {
  return exchange(port, [...first, { until: release }, rest], { giveUpMs: 15_000 })
}
