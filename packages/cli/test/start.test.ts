import assert from "node:assert/strict"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { connect, createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { CliProcess, EXAMPLE_APP, fixture, freePort, killAll, tempProject } from "./support/cli-process.js"

after(killAll)

/** Whether this process can listen on host:port right now (then frees it again). */
async function canListen(port: number, host: string): Promise<boolean> {
  const server = createServer()
  const ok = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false))
    server.listen(port, host, () => resolve(true))
  })
  if (ok) await new Promise((resolve) => server.close(resolve))
  return ok
}

describe("layeron start", { timeout: 60_000 }, () => {
  it("serves the docs' example (an entry that exports nothing) on SQLite, then exits 0 on SIGTERM", async () => {
    const dir = await mkdtemp(join(tmpdir(), "layeron-start-"))
    after(() => rm(dir, { recursive: true, force: true }))
    const cli = new CliProcess(["start", EXAMPLE_APP, "--port", "0"], {
      env: { LAYERON_KV: `sqlite:${join(dir, "kv.db")}` },
    })
    const url = await cli.servingUrl()
    assert.match(url, /^http:\/\/localhost:\d+$/)

    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      body: JSON.stringify({ email: "ada@example.com" }),
    })
    assert.equal(login.status, 200)
    const { status, token } = (await login.json()) as { status: string; token: string }
    assert.equal(status, "logged_in")
    assert.match(token, /^[0-9a-f-]{36}$/)

    const profile = await fetch(`${url}/api/profile`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(profile.status, 200)
    assert.deepEqual(await profile.json(), { message: "Hello, ada@example.com!", roles: ["admin"] })

    assert.equal((await fetch(`${url}/api/profile`)).status, 401)
    const unknown = await fetch(`${url}/api/profile`, { headers: { authorization: "Bearer not-a-session" } })
    assert.equal(unknown.status, 401)

    cli.signal("SIGTERM")
    assert.deepEqual(await cli.waitForExit(), { code: 0, signal: null })
    assert.equal(cli.stderr, "")
  })

  it("prints no request lines by default, and one per request with --log requests", async () => {
    const quiet = new CliProcess(["start", fixture("default-export.ts"), "--port", "0"])
    const quietUrl = await quiet.servingUrl()
    assert.equal((await fetch(`${quietUrl}/which`)).status, 200)
    quiet.signal("SIGTERM")
    assert.deepEqual(await quiet.waitForExit(), { code: 0, signal: null })
    assert.equal(quiet.stdout.trim().split("\n").length, 1, quiet.output()) // the "serving ... at" line alone

    const logged = new CliProcess(["start", fixture("default-export.ts"), "--port", "0", "--log", "requests"])
    const url = await logged.servingUrl()
    assert.equal((await fetch(`${url}/which?session=Pw0secret`)).status, 200)
    await logged.waitFor(/^GET \/which 200 \d+\.\d ms$/m)
    assert.doesNotMatch(logged.output(), /Pw0secret|session=/)
  })

  it("with --log requests, says so when the client left before its response", async () => {
    const cli = new CliProcess([
      "start",
      fixture("slow-upload.ts"),
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--log",
      "requests",
    ])
    const { port } = new URL(await cli.servingUrl())
    const socket = connect(Number(port), "127.0.0.1")
    socket.on("error", () => {})
    socket.write("POST /upload?key=Pw0secret HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npart")
    await cli.waitFor(/upload started/)
    socket.destroy()
    await cli.waitFor(/^POST \/upload - \d+\.\d ms \(client closed\)$/m)
    // stdout only: the aborted body also reaches the app's error log on stderr, which is core's, not this line's.
    assert.doesNotMatch(cli.stdout, /Pw0secret/)
  })

  it("serves an entry's default export rather than another app it created", async () => {
    const cli = new CliProcess(["start", fixture("default-export.ts"), "--port", "0"])
    const url = await cli.servingUrl()
    assert.equal(await (await fetch(`${url}/which`)).text(), "the exported app")
  })

  it('serves an entry compiled to CommonJS (no "type": "module"), its default export included', async () => {
    const project = await tempProject({ "app.ts": await readFile(fixture("default-export.ts"), "utf8") })
    after(project.remove)
    const cli = new CliProcess(["start", "app.ts", "--port", "0"], { cwd: project.dir })
    const url = await cli.servingUrl()
    assert.equal(await (await fetch(`${url}/which`)).text(), "the exported app")
  })

  it("takes --port over PORT, and HOST narrows it to one interface", async () => {
    const port = await freePort()
    const cli = new CliProcess(["start", EXAMPLE_APP, "--port", String(port)], {
      env: { PORT: "not-a-port", HOST: "127.0.0.1" },
    })
    assert.equal(await cli.servingUrl(), `http://127.0.0.1:${port}`)
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/profile`)).status, 401)
    // Bound to 127.0.0.1 only: another loopback address still has the port free.
    assert.equal(await canListen(port, "127.0.0.2"), true)
  })

  it("takes PORT, and listens on every interface by default", async () => {
    const port = await freePort()
    const cli = new CliProcess(["start", EXAMPLE_APP], { env: { PORT: String(port) } })
    assert.equal(await cli.servingUrl(), `http://localhost:${port}`)
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/profile`)).status, 401)
    assert.equal(await canListen(port, "127.0.0.2"), false)
  })

  it("takes --host", async () => {
    const port = await freePort()
    const cli = new CliProcess(["start", EXAMPLE_APP, "--host", "127.0.0.1"], { env: { PORT: String(port) } })
    assert.equal(await cli.servingUrl(), `http://127.0.0.1:${port}`)
    assert.equal(await canListen(port, "127.0.0.2"), true)
  })
})
