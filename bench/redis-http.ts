// The docs' example served by `layeron start` on Redis: GET /api/profile
// (one session read per request) with and without the read cache, measured
// with autocannon in its own process. The machine is shared, so the rounds alternate.
//   node --import tsx bench/redis-http.ts
import { execFile } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { RedisServer } from "@layeron/test-support/redis-server"
import { spawnWatched, type WatchedProcess } from "@layeron/test-support/watched-process"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const DURATION_S = 5
const CONNECTIONS = 50

async function startApp(kvUrl: string): Promise<{ url: string; process: WatchedProcess }> {
  const child = spawnWatched(
    process.execPath,
    [join(root, "packages/cli/dist/cli.js"), "start", join(root, "examples/session-auth/app.ts"), "--port", "0"],
    { cwd: root, env: { ...process.env, LAYERON_KV: kvUrl } },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let output = ""
    child.shell.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = /at (http:\/\/\S+)/.exec(output)
      if (match) resolve((match[1] as string).replace(/\/$/, "").replace("0.0.0.0", "127.0.0.1"))
    })
    void child.exited.then(() => reject(new Error(output)))
  })
  return { url, process: child }
}

async function profileLoad(url: string): Promise<string> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "ada@example.com" }),
  })
  const { token } = (await login.json()) as { token: string }
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(root, "node_modules/autocannon/autocannon.js"),
    ...["-c", String(CONNECTIONS), "-d", String(DURATION_S), "-j"],
    ...["-H", `authorization=Bearer ${token}`],
    `${url}/api/profile`,
  ])
  const result = JSON.parse(stdout) as {
    non2xx: number
    requests: { average: number }
    latency: { p50: number; p99: number }
  }
  if (result.non2xx > 0) throw new Error(`${result.non2xx} answers were not 200`)
  return `${Math.round(result.requests.average)} req/s, latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`
}

const redis = await new RedisServer().start()
try {
  for (let round = 0; round < 2; round++) {
    for (const [name, kvUrl] of [
      ["no cache ", redis.url],
      ["?cache=on", `${redis.url}?cache=on`],
    ] as const) {
      const app = await startApp(kvUrl)
      try {
        console.log(`${name}: ${await profileLoad(app.url)}`)
      } finally {
        process.kill(await app.process.pid, "SIGTERM")
        await app.process.exited
      }
    }
  }
} finally {
  await redis.dispose()
}
