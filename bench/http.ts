// HTTP: GET /api/profile with a valid session, on Layeron (sqlite, memory,
// redis) against raw node:http (the limit) and the same app on Hono +
// unstorage, Fastify + @fastify/session and Express + express-session, each on
// the same backend. Every server runs in its own process for the whole run;
// autocannon (another process) loads one server at a time, in an order that
// rotates every round, and each result is compared with raw node:http in the
// same round. The sessions example (auth.sessions) is served beside the
// docs' example on each backend, and compared with it round by round.
// A latency phase then loads each target row and its hand-written limit with
// wrk, alternated, for p99 in microseconds (autocannon's are whole ms).
import { join } from "node:path"
import { type ChartRow, writeChart } from "./http-chart.ts"
import { cpuSeconds, type LoadResult, load, type RunningServer, startServer } from "./http-load.ts"
import type { RunContext, Section, Target } from "./report.ts"
import { count, median, micros, millis, ratio, table } from "./stats.ts"
import { type LatencyResult, wrkAvailable, wrkLoad } from "./wrk.ts"

type Backend = "memory" | "sqlite" | "redis" | "-"

interface Variant {
  name: string
  backend: Backend
  script: string
  env: Record<string, string>
  /** Not one of the three Layeron rows the targets are about. */
  extra?: boolean
}

const SESSIONS_NAME = "Layeron, examples/sessions (auth.sessions)"

const PATH = "/api/profile"
const CONNECTIONS = 10

function variants(context: RunContext): Variant[] {
  const redis = context.redis.url
  const sqlite = (name: string) => join(context.dir, `${name}.db`)
  const peer = (name: string, script: string, backend: Backend): Variant => ({
    name,
    backend,
    script,
    env: { BENCH_BACKEND: backend, BENCH_REDIS_URL: redis, BENCH_SQLITE_PATH: sqlite(`http-${script}`) },
  })
  return [
    { name: "raw node:http", backend: "-", script: "raw-node.ts", env: {} },
    { name: "@hono/node-server alone (no routing, no storage)", backend: "-", script: "hono-adapter.ts", env: {} },
    {
      name: "Layeron routing alone (no storage)",
      backend: "-",
      script: "layeron-no-storage.ts",
      env: {},
      extra: true,
    },
    { name: "Layeron", backend: "memory", script: "layeron.ts", env: { LAYERON_KV: "memory:" } },
    {
      name: "Layeron",
      backend: "sqlite",
      script: "layeron.ts",
      env: { LAYERON_KV: `sqlite:${sqlite("http-layeron")}` },
    },
    { name: "Layeron", backend: "redis", script: "layeron.ts", env: { LAYERON_KV: redis } },
    ...(["memory", "sqlite", "redis"] as const).map((backend) => ({
      name: SESSIONS_NAME,
      backend,
      script: "layeron-sessions.ts",
      env: {
        LAYERON_KV:
          backend === "redis" ? redis : backend === "sqlite" ? `sqlite:${sqlite("http-sessions")}` : "memory:",
      },
      extra: true,
    })),
    {
      name: "Layeron, `?cache=on`",
      backend: "redis",
      script: "layeron.ts",
      env: { LAYERON_KV: `${redis}?cache=on` },
      extra: true,
    },
    { ...peer("raw node:http + raw client", "raw-node-storage.ts", "memory"), extra: true },
    { ...peer("raw node:http + raw client", "raw-node-storage.ts", "sqlite"), extra: true },
    { ...peer("raw node:http + raw client", "raw-node-storage.ts", "redis"), extra: true },
    peer("Hono + unstorage", "hono-unstorage.ts", "memory"),
    peer("Hono + unstorage (db0)", "hono-unstorage.ts", "sqlite"),
    peer("Hono + unstorage", "hono-unstorage.ts", "redis"),
    peer("Fastify + @fastify/session", "fastify-session.ts", "memory"),
    peer("Fastify + @fastify/session + connect-redis", "fastify-session.ts", "redis"),
    peer("Express + express-session", "express-session.ts", "memory"),
    peer("Express + express-session + connect-redis", "express-session.ts", "redis"),
  ]
}

interface Samples {
  rps: number[]
  p50: number[]
  p99: number[]
  cpu: number[]
  /** Server CPU time per response, in ms. */
  cpuPerRequest: number[]
  /** This round's req/s over raw node:http's in the same round. */
  vsRaw: number[]
  /** This round's req/s over raw node:http + the raw client on the same backend, in the same round. */
  vsLimit: number[]
  /** Raw node:http's CPU per response over this server's, in the same round: the ratio of what a saturated core would serve. */
  capacityVsRaw: number[]
  /** For the sessions example: the docs' example's req/s over this one's, in the same round. */
  docsOverThis: number[]
}

export async function httpSection(context: RunContext): Promise<Section> {
  const rounds = context.quick ? 2 : 5
  const seconds = context.quick ? 1 : 5
  // BENCH_HTTP_ONLY=memory,raw keeps the servers whose name or backend contains one of the words (raw always stays).
  const only = process.env.BENCH_HTTP_ONLY?.split(",")
  const list = variants(context).filter(
    (variant, index) =>
      index === 0 || only === undefined || only.some((word) => `${variant.name} ${variant.backend}`.includes(word)),
  )
  context.log(`http: starting ${list.length} servers`)
  const servers: RunningServer[] = []
  try {
    // Started one after another: tsx compiling in parallel on two cores only takes longer.
    for (const variant of list) {
      servers.push(await startServer(join("bench/servers", variant.script), variant.env))
    }
    context.log("http: servers started")
    // Warm-up (JIT, caches, connections): one server at a time; in quick mode all at once, which warms as well.
    if (context.quick) {
      await Promise.all(servers.map((server, index) => loadChecked(server, list[index] as Variant, 2)))
    } else {
      for (const [index, server] of servers.entries()) await loadChecked(server, list[index] as Variant, 2)
    }
    const samples = list.map(
      (): Samples => ({
        rps: [],
        p50: [],
        p99: [],
        cpu: [],
        cpuPerRequest: [],
        vsRaw: [],
        vsLimit: [],
        capacityVsRaw: [],
        docsOverThis: [],
      }),
    )
    for (let round = 0; round < rounds; round++) {
      const results: LoadResult[] = []
      for (let step = 0; step < list.length; step++) {
        const index = (step + round) % list.length
        const server = servers[index] as RunningServer
        const cpuBefore = cpuSeconds(server.pid)
        const result = await loadChecked(server, list[index] as Variant, seconds)
        const sample = samples[index] as Samples
        const cpu = cpuSeconds(server.pid) - cpuBefore
        sample.cpu.push(cpu / seconds)
        sample.cpuPerRequest.push((cpu * 1000) / result.requests)
        sample.rps.push(result.requestsPerSecond)
        sample.p50.push(result.p50Ms)
        sample.p99.push(result.p99Ms)
        results[index] = result
      }
      const raw = (results[0] as LoadResult).requestsPerSecond
      const rawCpu = (samples[0] as Samples).cpuPerRequest.at(-1) as number
      for (const [index, result] of results.entries()) {
        const sample = samples[index] as Samples
        sample.vsRaw.push(result.requestsPerSecond / raw)
        const limit = limitOf(list, list[index] as Variant)
        if (limit !== -1) {
          sample.vsLimit.push(result.requestsPerSecond / (results[limit] as LoadResult).requestsPerSecond)
        }
        sample.capacityVsRaw.push(rawCpu / (sample.cpuPerRequest.at(-1) as number))
        const docs = docsExampleOf(list, list[index] as Variant)
        if (docs !== -1)
          sample.docsOverThis.push((results[docs] as LoadResult).requestsPerSecond / result.requestsPerSecond)
      }
      context.log(`http: round ${round + 1}/${rounds} done`)
    }
    const latency = await latencyPhase(list, servers, rounds, seconds, context)
    const section = report(list, samples, rounds, seconds, latency)
    writeChart(chartRows(list, samples), context)
    return section
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }
}

const LIMIT_NAME = "raw node:http + raw client"

/** The raw node:http + raw client server on a variant's backend, or -1. */
function limitOf(list: readonly Variant[], variant: Variant): number {
  return list.findIndex((other) => other.name === LIMIT_NAME && other.backend === variant.backend)
}

/** For a sessions-example row, the docs' example on the same backend; else -1. */
function docsExampleOf(list: readonly Variant[], variant: Variant): number {
  if (variant.name !== SESSIONS_NAME) return -1
  return list.findIndex((other) => other.name === "Layeron" && other.backend === variant.backend)
}

/** wrk's figures for one target row and its hand-written limit, a pair per round. */
interface LatencyPair {
  layeron: number
  limit: number
  layeronRuns: LatencyResult[]
  limitRuns: LatencyResult[]
}

/**
 * p99 "under the same load": each target row and the hand-written server on its
 * backend, loaded by wrk with the same connections for the same time, the pair's
 * order swapped every round. Null when wrk is missing.
 */
async function latencyPhase(
  list: readonly Variant[],
  servers: readonly RunningServer[],
  rounds: number,
  seconds: number,
  context: RunContext,
): Promise<LatencyPair[] | null> {
  if (!wrkAvailable()) {
    context.log("http: wrk is not installed (apt-get install wrk): no p99 in microseconds")
    return null
  }
  const pairs: LatencyPair[] = []
  for (const [index, variant] of list.entries()) {
    const limit = limitOf(list, variant)
    if (!variant.name.startsWith("Layeron") || variant.extra || limit === -1) continue
    pairs.push({ layeron: index, limit, layeronRuns: [], limitRuns: [] })
  }
  for (let round = 0; round < rounds; round++) {
    for (const pair of pairs) {
      const order = round % 2 === 0 ? (["layeron", "limit"] as const) : (["limit", "layeron"] as const)
      for (const side of order) {
        const index = pair[side]
        const result = await wrkLoad(servers[index] as RunningServer, {
          path: PATH,
          seconds,
          connections: CONNECTIONS,
        })
        if (result.non2xx > 0 || result.errors > 0) {
          const { name, backend } = list[index] as Variant
          throw new Error(`${name} (${backend}) under wrk: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
        }
        pair[side === "layeron" ? "layeronRuns" : "limitRuns"].push(result)
      }
    }
    context.log(`http: latency round ${round + 1}/${rounds} done`)
  }
  return pairs
}

async function loadChecked(server: RunningServer, variant: Variant, seconds: number): Promise<LoadResult> {
  const result = await load(server, { path: PATH, seconds, connections: CONNECTIONS })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${variant.name} (${variant.backend}): ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  return result
}

function report(
  list: Variant[],
  samples: Samples[],
  rounds: number,
  seconds: number,
  latency: LatencyPair[] | null,
): Section {
  const rps = samples.map((sample) => median(sample.rps))
  const bestPeer = (backend: Backend) => {
    let best = -1
    for (const [index, variant] of list.entries()) {
      if (
        variant.backend === backend &&
        !variant.name.startsWith("Layeron") &&
        variant.name !== LIMIT_NAME &&
        (best === -1 || (rps[index] as number) > (rps[best] as number))
      )
        best = index
    }
    return best
  }
  const rows = list.map((variant, index) => {
    const sample = samples[index] as Samples
    const peer = bestPeer(variant.backend)
    const vsPeer =
      variant.name.startsWith("Layeron") && peer !== -1 ? (rps[index] as number) / (rps[peer] as number) : Number.NaN
    return [
      variant.name,
      variant.backend,
      count(rps[index] as number),
      millis(median(sample.p50)),
      millis(median(sample.p99)),
      ratio(median(sample.vsRaw)),
      sample.vsLimit.length > 0 && variant.name !== LIMIT_NAME ? ratio(median(sample.vsLimit)) : "-",
      ratio(vsPeer),
      `${Math.round(median(sample.cpu) * 100)}%`,
      micros(median(sample.cpuPerRequest)),
      ratio(median(sample.capacityVsRaw)),
    ]
  })
  const targets: Target[] = []
  for (const [index, variant] of list.entries()) {
    const docsOverThis = (samples[index] as Samples).docsOverThis
    if (docsOverThis.length === 0) continue
    const slower = median(docsOverThis)
    targets.push({
      goal: `sessions example's profile (${variant.backend}) within 1.15x of the docs' example's`,
      measured: `the docs' example serves ${ratio(slower)} its req/s (median of the rounds' ratios)`,
      met: slower <= 1.15,
    })
  }
  for (const [index, variant] of list.entries()) {
    if (!variant.name.startsWith("Layeron") || variant.extra) continue
    const sample = samples[index] as Samples
    if (sample.vsLimit.length > 0) {
      const vsLimit = median(sample.vsLimit)
      targets.push({
        goal: `session verify (${variant.backend}) >= 0.9x the hand-written server (raw node:http + raw client)`,
        measured: `${ratio(vsLimit)} (${ratio(median(sample.vsRaw))} of raw node:http reading nothing)`,
        met: vsLimit >= 0.9,
      })
      targets.push(
        p99Target(
          variant,
          latency?.find((pair) => pair.layeron === index),
        ),
      )
    }
    const peer = bestPeer(variant.backend)
    if (peer !== -1) {
      const vsPeer = (rps[index] as number) / (rps[peer] as number)
      targets.push({
        goal: `>= 1.3x the best peer on ${variant.backend} (${(list[peer] as Variant).name})`,
        measured: ratio(vsPeer),
        met: vsPeer >= 1.3,
      })
    }
  }
  const body = [
    `GET ${PATH} with a valid session; ${CONNECTIONS} connections; ${rounds} rounds of ${seconds} s per server, ` +
      'the order rotating each round; medians over the rounds. "x raw" is the median of each round\'s ratio to raw ' +
      'node:http in that round; "x raw + client" the same against raw node:http reading the session with the raw ' +
      "client on the same backend (a Map, a better-sqlite3 prepared statement, an ioredis GET): the limit on that " +
      'backend; "x best peer" compares with the fastest framework server on the same backend. ' +
      "\"server CPU\" is the server process's CPU time over the run's wall time (100% = one core): below 100%, " +
      'something else (the load generator, Redis, the other users of the machine) was the limit. "CPU per request" ' +
      "is the server's CPU time over the responses it sent, and \"capacity x raw\" is raw node:http's CPU per request " +
      "over the server's (median of the rounds): what one saturated core would serve, relative to raw node:http.",
    "",
    table(
      [
        "server",
        "backend",
        "req/s",
        "p50",
        "p99",
        "x raw",
        "x raw + client",
        "x best peer",
        "server CPU",
        "CPU per request",
        "capacity x raw",
      ],
      rows,
    ),
    ...(latency === null
      ? []
      : [
          "",
          `Latency under the same load: each Layeron row and the hand-written server on its backend, loaded by wrk ` +
            `(one thread, ${CONNECTIONS} connections, ${seconds} s), the pair's order swapped every round, ${rounds} ` +
            "rounds; medians over the rounds. wrk keeps latencies in microseconds (the table above has autocannon's " +
            "whole milliseconds), and it is a lighter client than autocannon, so its req/s are higher.",
          "",
          latencyTable(list, latency),
        ]),
  ].join("\n")
  return { title: "HTTP: GET /api/profile", body, targets }
}

/** The p99 target of a Layeron row, from the latency phase: the median of the rounds' p99 ratios. */
function p99Target(variant: Variant, pair: LatencyPair | undefined): Target {
  const goal = `p99 (${variant.backend}) within 1.2x of the hand-written server's, under the same load`
  if (pair === undefined) return { goal, measured: "not measured: install wrk (apt-get install wrk)", met: false }
  const p99 = median(pair.layeronRuns.map((run, round) => run.p99Us / (pair.limitRuns[round] as LatencyResult).p99Us))
  const layeron = micros(median(pair.layeronRuns.map((run) => run.p99Us)) / 1000)
  const limit = micros(median(pair.limitRuns.map((run) => run.p99Us)) / 1000)
  return {
    goal,
    measured: `${ratio(p99)} (${layeron} against ${limit}; wrk, median of the rounds' ratios)`,
    met: p99 <= 1.2,
  }
}

/** The latency phase's table: each target row and its hand-written limit, medians over the rounds (µs). */
function latencyTable(list: readonly Variant[], pairs: readonly LatencyPair[]): string {
  const rows: string[][] = []
  for (const pair of pairs) {
    for (const [index, runs] of [
      [pair.layeron, pair.layeronRuns],
      [pair.limit, pair.limitRuns],
    ] as const) {
      const variant = list[index] as Variant
      const of = (pick: (run: LatencyResult) => number) => median(runs.map(pick))
      rows.push([
        variant.name,
        variant.backend,
        count(of((run) => run.requestsPerSecond)),
        micros(of((run) => run.p50Us) / 1000),
        micros(of((run) => run.p90Us) / 1000),
        micros(of((run) => run.p99Us) / 1000),
        micros(of((run) => run.p999Us) / 1000),
      ])
    }
  }
  return table(["server", "backend", "req/s (wrk)", "p50", "p90", "p99", "p99.9"], rows)
}

/** The chart's bars: per backend, Layeron, the hand-written limit and each framework peer (medians). */
function chartRows(list: Variant[], samples: Samples[]): ChartRow[] {
  const rows: ChartRow[] = []
  for (const [index, variant] of list.entries()) {
    if (variant.backend === "-" || (variant.extra === true && variant.name !== LIMIT_NAME)) continue
    const sample = samples[index] as Samples
    rows.push({
      backend: variant.backend,
      name: variant.name === LIMIT_NAME ? "hand-written (node:http + client)" : variant.name,
      kind: variant.name.startsWith("Layeron") ? "layeron" : variant.name === LIMIT_NAME ? "limit" : "peer",
      requestsPerSecond: median(sample.rps),
      cpuMicrosPerRequest: median(sample.cpuPerRequest) * 1000,
    })
  }
  return rows
}
