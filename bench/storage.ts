import { type Phase, type Plan, phase } from "./phase.ts"
import type { RunContext, Section, Target } from "./report.ts"
import { count, median, micros, ratio, table } from "./stats.ts"
import { atomicTables } from "./storage-atomic.ts"
import { type BackendName, type Client, clientsFor } from "./storage-clients.ts"

const OPERATIONS = ["read", "get", "put", "delete"] as const
type Operation = (typeof OPERATIONS)[number]
/** Entries in each client's store before measuring: the session table of a small app. */
const PREFILL = 1000
const SESSION = { userId: "usr_100", email: "ada@example.com", roles: ["admin"], createdAt: "2026-01-01T00:00:00.000Z" }

/** Deterministic shuffled reads of the prefilled keys. */
function readKeys(length: number): string[] {
  let seed = 12345
  return Array.from({ length }, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return `session:${seed % PREFILL}`
  })
}

type Samples = Record<Operation, { ops: number[]; p50: number[]; p99: number[]; vsRaw: number[] }>

async function measureBackend(backend: BackendName, context: RunContext, plan: Plan) {
  const clients = await clientsFor(backend, context.dir, context.redis.url)
  try {
    for (const client of clients) {
      for (let index = 0; index < PREFILL; index++) await client.put(`session:${index}`, SESSION)
    }
    const reads = readKeys(plan.maxOps)
    for (const client of clients) await phase({ ...plan, budgetMs: 200 }, reads, (key) => client.get(key)) // warm-up
    const samples = clients.map(
      () =>
        Object.fromEntries(
          OPERATIONS.map((op) => [op, { ops: [], p50: [], p99: [], vsRaw: [] }]),
        ) as unknown as Samples,
    )
    for (let round = 0; round < plan.rounds; round++) {
      const results: Partial<Record<Operation, Phase>>[] = []
      for (let step = 0; step < clients.length; step++) {
        const index = (step + round) % clients.length
        const client = clients[index] as Client
        const result: Partial<Record<Operation, Phase>> = {}
        if (client.read) result.read = await phase(plan, reads, (key) => client.read?.(key))
        result.get = await phase(plan, reads, (key) => client.get(key))
        const fresh = Array.from({ length: plan.maxOps }, (_, i) => `new:${round}:${i}`)
        const put = await phase(plan, fresh, (key) => client.put(key, SESSION))
        result.put = put
        result.delete = await phase({ ...plan, maxOps: put.done }, fresh, (key) => client.delete(key))
        results[index] = result
      }
      for (const [index, result] of results.entries()) {
        const sample = samples[index] as Samples
        for (const op of OPERATIONS) {
          const phaseResult = result[op]
          if (phaseResult === undefined) continue
          sample[op].ops.push(phaseResult.opsPerSecond)
          sample[op].p50.push(phaseResult.p50)
          sample[op].p99.push(phaseResult.p99)
          const raw = (results[0] as Partial<Record<Operation, Phase>>)[op]
          if (raw) sample[op].vsRaw.push(raw.opsPerSecond / phaseResult.opsPerSecond)
        }
      }
      context.log(`storage ${backend}: round ${round + 1}/${plan.rounds} done`)
    }
    return { clients: clients.map((client) => ({ name: client.name, kind: client.kind })), samples }
  } finally {
    for (const client of clients) await client.close()
  }
}

const LABEL: Record<Operation, string> = {
  read: "read (entry, no parse)",
  get: "get (session object)",
  put: "put",
  delete: "delete",
}

export async function storageSection(context: RunContext): Promise<Section> {
  const plan: Plan = context.quick
    ? { rounds: 2, maxOps: 20_000, budgetMs: 100 }
    : { rounds: 5, maxOps: 50_000, budgetMs: 600 }
  const parts: string[] = [
    `One operation at a time, in-process. Each client starts with ${PREFILL} sessions (about 100 bytes of JSON each); ` +
      `"read" and "get" pick keys from them in a fixed shuffled order; "put" writes new keys, "delete" removes them. ` +
      `${plan.rounds} rounds, each phase up to ${count(plan.maxOps)} operations or ${plan.budgetMs} ms; medians over the rounds. ` +
      `"x raw" is the time per operation over the raw client's in the same round (lower is better; 1.00x is the limit). ` +
      '"read" returns what the client holds (a row, a Buffer, a KVHandle); "get" returns the session as an object, so ' +
      "every client parses JSON. Layeron and the raw sqlite client use WAL with synchronous=NORMAL; Keyv (sqlite3) and " +
      "unstorage (db0) keep SQLite's defaults (rollback journal, synchronous=FULL), so their puts wait for an fsync, " +
      "as their users' do.",
  ]
  const targets: Target[] = []
  for (const backend of ["sqlite", "memory", "redis"] as const) {
    const { clients, samples } = await measureBackend(backend, context, plan)
    const rows: string[][] = []
    for (const op of OPERATIONS) {
      for (const [index, client] of clients.entries()) {
        const sample = (samples[index] as Samples)[op]
        if (sample.ops.length === 0) continue
        rows.push([
          LABEL[op],
          client.name,
          count(median(sample.ops)),
          micros(median(sample.p50)),
          micros(median(sample.p99)),
          ratio(median(sample.vsRaw)),
        ])
      }
    }
    parts.push("", `**${backend}**`, "", table(["operation", "client", "ops/s", "p50", "p99", "x raw"], rows))
    const layeronIndex = clients.findIndex((client) => client.kind === "layeron")
    const read = median((samples[layeronIndex] as Samples).read.vsRaw)
    if (backend === "sqlite")
      targets.push({
        goal: "sqlite get within 1.25x of the raw prepared statement",
        measured: ratio(read),
        met: read <= 1.25,
      })
    if (backend === "redis")
      targets.push({
        goal: "redis get within 1.1x of the raw client (ioredis GET)",
        measured: ratio(read),
        met: read <= 1.1,
      })
  }
  const atomic = await atomicTables(context, plan)
  parts.push(...atomic.parts)
  targets.push(...atomic.targets)
  return { title: "Storage: get, put, delete, atomic operations", body: parts.join("\n"), targets }
}
