// Two `layeron start` processes of the sessions example on one backend (a
// SQLite file, then Redis): a session made on one is valid on the other, and
// a logout, or "log out other devices", on one is refused by the other at
// its very next request.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { RedisServer } from "@layeron/test-support/redis-server"
import { type AppProcess, startApp } from "./support/cli-server.ts"
import { call, login, status, token } from "./support/client.ts"

const dir = mkdtempSync(join(tmpdir(), "layeron-sessions-two-"))
let redis: RedisServer
const apps: AppProcess[] = []

before(async () => {
  redis = await new RedisServer().start()
})

after(async () => {
  await Promise.all(apps.map((app) => app.stop()))
  await redis?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

const backends = [
  { name: "one SQLite file", url: () => `sqlite:${join(dir, "kv.db")}` },
  { name: "Redis", url: () => redis.url },
]

for (const backend of backends) {
  describe(`two app processes on ${backend.name}`, () => {
    let a: AppProcess
    let b: AppProcess

    before(async () => {
      ;[a, b] = await Promise.all([startApp(backend.url()), startApp(backend.url())])
      apps.push(a, b)
    })

    it("a logout on one is refused by the other at its next request, every time", async () => {
      for (let round = 0; round < 20; round++) {
        const [first, second] = round % 2 === 0 ? [a, b] : [b, a]
        const user =
          round % 3 === 0
            ? await token(first.url, `u${round}@example.com`)
            : await login(first.url, `u${round}@example.com`)
        assert.equal(await status(second.url, user), 200, second.output())
        assert.equal((await call(first.url, user, "POST", "/api/logout")).status, 200)
        assert.equal(await status(second.url, user), 401, `round ${round}: the other process still let it in`)
        assert.equal(await status(first.url, user), 401)
      }
    })

    it("log out other devices on one process ends them on the other; the device list agrees", async () => {
      const devices = [
        await login(a.url, "ada@example.com"),
        await token(b.url, "ada@example.com"),
        await login(a.url, "ada@example.com"),
      ]
      const [keep, ...others] = devices as [(typeof devices)[0], ...typeof devices]
      const listed = (await (await call(b.url, keep, "GET", "/api/devices")).json()) as { devices: unknown[] }
      assert.equal(listed.devices.length, 3)
      const response = await call(b.url, keep, "POST", "/api/logout-others")
      assert.deepEqual(await response.json(), { revoked: 2 })
      for (const other of others) {
        assert.equal(await status(a.url, other), 401)
        assert.equal(await status(b.url, other), 401)
      }
      assert.equal(await status(a.url, keep), 200)
      const left = (await (await call(a.url, keep, "GET", "/api/devices")).json()) as { devices: unknown[] }
      assert.equal(left.devices.length, 1)
    })

    it("loses no login when the two processes take 100 logins of one user at once", async () => {
      const email = `busy-${backend.name.length}@example.com`
      const logins = await Promise.all(Array.from({ length: 100 }, (_, index) => token((index % 2 ? a : b).url, email)))
      const listed = (await (await call(a.url, logins[0] as (typeof logins)[0], "GET", "/api/devices")).json()) as {
        devices: unknown[]
      }
      assert.equal(listed.devices.length, 100)
    })
  })
}
