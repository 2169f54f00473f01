// Where `layeron dev` turns the inspector on: wherever the server listens on
// loopback (every interface, the default, includes it), never on an address a
// browser on this machine could only reach as a non-loopback client.
import assert from "node:assert/strict"
import { networkInterfaces } from "node:os"
import { after, before, describe, it } from "node:test"
import { listensOnLoopback } from "../../src/inspector/dev.ts"
import { CliProcess, killAll, tempProject } from "../support/cli-process.ts"

const APP = `import { backend } from "@layeron/core"
import { storage } from "@layeron/modules"
const app = backend()
app.use(storage.kv({ name: "notes" }))
`

let project: Awaited<ReturnType<typeof tempProject>>
before(async () => {
  project = await tempProject({ "app.ts": APP })
})
after(async () => {
  killAll()
  await project?.remove()
})

describe("layeron dev: where the inspector is on", { timeout: 60_000 }, () => {
  it("is on for every interface and for loopback hosts, off for any other", () => {
    for (const host of [undefined, "", "0.0.0.0", "::", "localhost", "127.0.0.1", "::1", "127.1.2.3"]) {
      assert.equal(listensOnLoopback(host), true, String(host))
    }
    for (const host of ["192.168.1.5", "10.0.0.1", "example.com", "::2"]) {
      assert.equal(listensOnLoopback(host), false, host)
    }
  })

  it("says it is off, and leaves /_layeron/ to the app, when dev listens on a non-loopback address", async (t) => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address !== undefined && !address.internal && address.family === "IPv4")
    if (external === undefined) return t.skip("this machine has no non-loopback IPv4 address to listen on")
    const cli = new CliProcess(["dev", "app.ts", "--port", "0", "--host", external.address], { cwd: project.dir })
    const url = await cli.servingUrl()
    await cli.waitFor(/layeron dev: no inspector: it answers only on this machine's loopback, and --host \S+ is not/)
    const response = await fetch(`${url}/_layeron/`)
    assert.equal(response.status, 404)
    assert.doesNotMatch(await response.text(), /inspector/i)
  })
})
