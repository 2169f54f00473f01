import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import type { KVStore } from "../../kv/store.js"
import { strongStore } from "./atomic.js"
import type { SuiteContext } from "./context.js"
import { rule } from "./context.js"
import { type RaceOutcome, type RaceRequest, raceKey, runRace } from "./race.js"

const otherProcess = { otherProcess: true }
const RACE_TIMEOUT_MS = 60_000

/**
 * Runs `kind` in this process and in another one (race-process.ts) on the
 * same store at once; their outcomes, this process's first.
 */
async function race(
  t: SuiteContext,
  store: KVStore,
  kind: RaceRequest["kind"],
  count: number,
): Promise<[RaceOutcome, RaceOutcome]> {
  const driver = await t.driver()
  const url = (t.otherProcessUrl as NonNullable<SuiteContext["otherProcessUrl"]>)(driver)
  const request = { url, namespace: store.namespace, name: store.storeName, kind, count }
  const script = fileURLToPath(new URL("./race-process.js", import.meta.url))
  const child = spawn(process.execPath, [script, JSON.stringify({ ...request, who: "there" })], {
    stdio: ["pipe", "pipe", "pipe"],
  })
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const timer = setTimeout(() => child.kill("SIGKILL"), RACE_TIMEOUT_MS)
  try {
    const line = async (what: string) => {
      const next = await lines.next()
      if (next.done) throw new Error(`the other process exited before ${what} (code ${await exited}): ${stderr}`)
      return next.value
    }
    assert.equal(await line("it was ready"), "ready")
    child.stdin.write("go\n")
    const here = await runRace(store, { ...request, who: "here" })
    const there = JSON.parse(await line("it answered")) as RaceOutcome
    assert.equal(await exited, 0, stderr)
    return [here, there]
  } finally {
    clearTimeout(timer)
    child.stdin.end()
    child.kill()
  }
}

export function raceRules(t: SuiteContext): void {
  t.describe("races between two processes", () => {
    rule(
      t,
      "races: increment",
      "counts every one of 400 increments that two processes make at once",
      async () => {
        const store = await strongStore(t)
        const [here, there] = await race(t, store, "increment", 200)
        const counts = [...here.results, ...there.results].sort((a, b) => (a as number) - (b as number))
        assert.deepEqual(
          counts,
          Array.from({ length: 400 }, (_, index) => index + 1),
          "each saw its own count",
        )
        assert.equal(await (await store.get("counter"))?.text(), "400")
      },
      otherProcess,
    )

    rule(
      t,
      "races: add",
      "lets exactly one process win each of 200 keys both add at once",
      async () => {
        const store = await strongStore(t)
        const [here, there] = await race(t, store, "add", 200)
        const won = [...here.results, ...there.results].sort()
        assert.deepEqual(won, Array.from({ length: 200 }, (_, index) => raceKey(index)).sort(), "one winner per key")
        for (const key of here.results.slice(0, 20))
          assert.equal(await (await store.get(key as string))?.text(), "here")
        for (const key of there.results.slice(0, 20))
          assert.equal(await (await store.get(key as string))?.text(), "there")
      },
      otherProcess,
    )

    rule(
      t,
      "races: getAndDelete",
      "hands each of 200 entries to exactly one of two processes taking them at once",
      async () => {
        const store = await strongStore(t)
        for (let index = 0; index < 200; index++) await store.put(raceKey(index), "token")
        const [here, there] = await race(t, store, "getAndDelete", 200)
        const taken = [...here.results, ...there.results].sort()
        assert.deepEqual(taken, Array.from({ length: 200 }, (_, index) => raceKey(index)).sort(), "one taker per key")
        assert.equal(await store.get(raceKey(0)), null)
      },
      otherProcess,
    )

    rule(
      t,
      "races: update",
      "loses none of the updates two processes make to one key at once",
      async () => {
        const store = await strongStore(t)
        const [here, there] = await race(t, store, "update", 30)
        const stored = (await (await store.get("doc"))?.json()) as string[]
        const written = [...here.results, ...there.results] as string[]
        assert.deepEqual([...stored].sort(), [...written].sort(), "every update that returned is in the entry, once")
        assert.equal(here.conflicts + there.conflicts, 0, "none gave up")
        assert.equal(written.length, 60)
      },
      otherProcess,
    )
  })
}
