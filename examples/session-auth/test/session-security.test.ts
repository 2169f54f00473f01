// The security of the example's session path: tokens carry 122 random bits,
// and when storage fails the client gets a generic status while the detail
// goes to the log only. (Hostile requests, with the same no-leak check on
// every response, are in hostile-http.test.ts.)
import assert from "node:assert/strict"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import type { Backend } from "@layeron/core"
import { createdBackends } from "@layeron/core/internal"

const LOGINS = 5000
const dir = mkdtempSync(join(tmpdir(), "layeron-security-"))
const serverLog: unknown[][] = []
const originalConsoleError = console.error
let app: Backend<unknown>

before(async () => {
  await import("../app.ts")
  const created = createdBackends().at(-1)
  assert.ok(created, "the example created an app")
  app = created as Backend<unknown>
  console.error = (...args: unknown[]) => void serverLog.push(args)
})

after(async () => {
  console.error = originalConsoleError
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

function login(env: Record<string, string>): Promise<Response> {
  const request = new Request("http://localhost/api/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "ada@example.com" }),
  })
  return app.fetch(request, env)
}

// Stack frames, file paths, runtime internals, error class names, storage details, the temp dir.
const LEAKS = [
  /\bat |\.[cm]?[jt]s:\d|node:|\w+Error\b|Error:|ENOTDIR|EEXIST|SQLite|sqlite|KV_|LAYERON_KV|bogus/,
  new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
]

function assertNoLeak(body: string): void {
  for (const pattern of LEAKS) assert.doesNotMatch(body, pattern)
}

// The app starts its store on the first request, and tries again after a failure:
// these run first, on stores that cannot open, then the app starts on memory.
describe("a store that fails: a generic answer, the detail in the log", () => {
  it("an SQLite file that cannot be opened gives 503 with nothing internal in it", async () => {
    const notADirectory = join(dir, "a-file")
    writeFileSync(notADirectory, "")
    const before = serverLog.length
    const response = await login({ LAYERON_KV: `sqlite:${join(notADirectory, "kv.db")}` })
    assert.equal(response.status, 503)
    const body = await response.text()
    assert.deepEqual(JSON.parse(body), { error: "Service Unavailable" })
    assertNoLeak(body)
    const logged = serverLog
      .slice(before)
      .map((entry) => entry.map(String).join(" "))
      .join("\n")
    assert.match(logged, /Cannot open the SQLite store at .*a-file/, "the cause is logged for the operator")
  })

  it("a LAYERON_KV that is not a storage URL gives a generic 500", async () => {
    const response = await login({ LAYERON_KV: "bogus://x" })
    assert.equal(response.status, 500)
    const body = await response.text()
    assert.deepEqual(JSON.parse(body), { error: "Internal Server Error" })
    assertNoLeak(body)
  })

  it("a handler that throws (a JSON null body) gives a generic 500", async () => {
    const request = new Request("http://localhost/api/auth/login", { method: "POST", body: "null" })
    const response = await app.fetch(request, { LAYERON_KV: "memory:" })
    assert.equal(response.status, 500)
    const body = await response.text()
    assertNoLeak(body)
    assert.doesNotMatch(body, /email|properties|null/)
  })
})

describe("session tokens", () => {
  it(`are random UUIDs v4: ${LOGINS} logins, all distinct, 122 random bits each`, async () => {
    const tokens: string[] = []
    for (let index = 0; index < LOGINS; index++) {
      const response = await login({ LAYERON_KV: "memory:" })
      assert.equal(response.status, 200)
      tokens.push(((await response.json()) as { token: string }).token)
    }
    assert.equal(new Set(tokens).size, LOGINS, "no token repeats")
    const bits = tokens.map(tokenBits)
    // A v4 UUID fixes 6 bits (version 0100, variant 10); the other 122 come from the CSPRNG.
    const fixed = new Map([
      [48, 0],
      [49, 1],
      [50, 0],
      [51, 0],
      [64, 1],
      [65, 0],
    ])
    // Each random bit is set in half the tokens: within 5 standard deviations (1 in 1.7 million by chance).
    const tolerance = 5 * Math.sqrt(LOGINS * 0.25)
    let randomPositions = 0
    for (let position = 0; position < 128; position++) {
      const ones = bits.reduce((sum, value) => sum + (value[position] as number), 0)
      const fixedValue = fixed.get(position)
      if (fixedValue !== undefined) {
        assert.equal(ones, fixedValue * LOGINS, `bit ${position} is fixed by the UUID format`)
        continue
      }
      randomPositions++
      assert.ok(Math.abs(ones - LOGINS / 2) < tolerance, `bit ${position} is set in ${ones} of ${LOGINS} tokens`)
    }
    assert.equal(randomPositions, 122)
    // Consecutive tokens share nothing: on average they differ in half their random bits (61).
    let distance = 0
    for (let index = 1; index < LOGINS; index++) {
      const a = bits[index - 1] as number[]
      const b = bits[index] as number[]
      for (let position = 0; position < 128; position++) distance += a[position] === b[position] ? 0 : 1
    }
    const meanDistance = distance / (LOGINS - 1)
    assert.ok(
      Math.abs(meanDistance - 61) < 1,
      `consecutive tokens differ in ${meanDistance.toFixed(2)} bits on average`,
    )
  })
})

/** The 128 bits of a UUID, most significant first; fails on anything that is not a v4 UUID in canonical form. */
function tokenBits(token: string): number[] {
  assert.match(token, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  const bits: number[] = []
  for (const digit of token.replaceAll("-", "")) {
    const value = Number.parseInt(digit, 16)
    for (let shift = 3; shift >= 0; shift--) bits.push((value >> shift) & 1)
  }
  return bits
}
