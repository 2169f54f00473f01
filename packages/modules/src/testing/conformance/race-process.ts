// The second process of the "races:" conformance rules (see races.ts): it
// opens the store named on its command line on a storage URL, says "ready",
// waits for "go", runs its share of a race, prints the outcome as one JSON
// line and exits. It exits too when its stdin closes, so it never outlives
// the test that started it.
import { createInterface } from "node:readline"
// The package entry, so that the built-in drivers' URL schemes are registered.
import { kv } from "../../index.js"
import { type RaceRequest, runRace } from "./race.js"

const request = JSON.parse(process.argv[2] as string) as RaceRequest
const store = kv({ name: request.name, namespace: request.namespace, driver: request.url, consistency: "strong" })

const lines = createInterface({ input: process.stdin })
lines.once("close", () => process.exit(0))
// Opens the connection before the race starts, so both processes start on an equal footing.
await store.has("ready")
const go = new Promise<void>((resolve) => lines.once("line", () => resolve()))
process.stdout.write("ready\n")
await go
const outcome = await runRace(store, request)
process.stdout.write(`${JSON.stringify(outcome)}\n`)
await store.close()
process.exit(0)
