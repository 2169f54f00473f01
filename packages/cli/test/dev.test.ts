import assert from "node:assert/strict"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { CliProcess, freePort, killAll, poll, tempProject } from "./support/cli-process.js"

after(killAll)

// The app lives in a temp dir, where editing it disturbs nobody.
let project: Awaited<ReturnType<typeof tempProject>> | undefined
let appDir: string
let appFile: string
before(async () => {
  project = await tempProject({})
  appDir = project.dir
  appFile = join(appDir, "app.ts")
})
after(() => project?.remove())

const appAnswering = (text: string) => `import { backend } from "@layeron/core"

const app = backend()
app.get("/version", () => new Response(${JSON.stringify(text)}))
`

async function version(url: string): Promise<string> {
  return (await fetch(`${url}/version`)).text()
}

describe("layeron dev", { timeout: 60_000 }, () => {
  it("prints the URL, serves the new code after each save, survives a code error, stops on Ctrl+C", async () => {
    await writeFile(appFile, appAnswering("one"))
    const port = await freePort()
    const cli = new CliProcess(["dev", "app.ts", "--port", String(port)], { cwd: appDir })
    assert.equal(await cli.servingUrl(1), `http://localhost:${port}`)
    assert.equal(await version(`http://localhost:${port}`), "one")

    await writeFile(appFile, appAnswering("two"))
    const url = await cli.servingUrl(2)
    assert.equal(url, `http://localhost:${port}`)
    assert.equal(await version(url), "two")

    // A save that does not compile: the error is shown, and the command keeps watching.
    await writeFile(appFile, `${appAnswering("broken")}app.get("/oops", (`)
    await cli.waitFor(/app\.ts failed to compile/)
    assert.equal(cli.exit, undefined)

    await writeFile(appFile, appAnswering("three"))
    assert.equal(await version(await cli.servingUrl(3)), "three")

    // Ctrl+C in a terminal reaches every process of the group at once.
    cli.signalGroup("SIGINT")
    assert.deepEqual(await cli.waitForExit(), { code: 0, signal: null })
    assert.doesNotMatch(cli.stdout + cli.stderr, /Force killing|SIGINT again/)
  })

  it("prints a line per request: method, path without its query string, status, duration; --log none prints none", async () => {
    await writeFile(appFile, appAnswering("logged"))
    const cli = new CliProcess(["dev", "app.ts", "--port", "0", "--host", "127.0.0.1"], { cwd: appDir })
    const url = await cli.servingUrl()
    assert.equal(await version(url), "logged")
    assert.equal((await fetch(`${url}/missing?token=Pw0secret`, { method: "POST" })).status, 404)
    await cli.waitFor(/^GET \/version 200 \d+\.\d ms$/m)
    await cli.waitFor(/^POST \/missing 404 \d+\.\d ms$/m)
    assert.doesNotMatch(cli.output(), /Pw0secret|token=/)

    const quiet = new CliProcess(["dev", "app.ts", "--port", "0", "--host", "127.0.0.1", "--log", "none"], {
      cwd: appDir,
    })
    const quietUrl = await quiet.servingUrl()
    assert.equal(await version(quietUrl), "logged")
    quiet.signal("SIGTERM")
    assert.deepEqual(await quiet.waitForExit(), { code: 0, signal: null })
    assert.doesNotMatch(quiet.stdout, /\/version/)
  })

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`stops on a ${signal} sent to the command alone (not from a terminal), closing the app's server`, async () => {
      await writeFile(appFile, appAnswering("four"))
      const cli = new CliProcess(["dev", "app.ts", "--port", "0", "--host", "127.0.0.1"], { cwd: appDir })
      const url = await cli.servingUrl()
      assert.equal(await version(url), "four")
      cli.signal(signal)
      assert.deepEqual(await cli.waitForExit(), { code: 0, signal: null })
      await assert.rejects(fetch(`${url}/version`), "the app's server is gone too")
    })
  }

  it("leaves nothing serving when the command itself is killed hard", async () => {
    await writeFile(appFile, appAnswering("five"))
    const cli = new CliProcess(["dev", "app.ts", "--port", "0", "--host", "127.0.0.1"], { cwd: appDir })
    const url = await cli.servingUrl()
    cli.signal("SIGKILL")
    await cli.waitForExit()
    await poll("the app's server to stop", 10_000, () =>
      fetch(`${url}/version`).then(
        () => undefined,
        () => true,
      ),
    )
  })
})
