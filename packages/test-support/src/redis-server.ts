// Real redis-server processes for tests: one on a free port in a temp dir, or a
// three-master cluster. No test leaves a server behind: each runs under a
// watchdog that kills it however the test process ends.
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { signalAndWait, spawnWatched, type WatchedProcess, waitForOutput } from "./watched-process.ts"

const run = promisify(execFile)
const tempDirs = new Set<string>()

process.once("exit", () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

/** A port nobody listens on now (and, for a cluster node, whose bus port +10000 is free too). */
export async function freePort(withBusPort = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(0)
    if (!withBusPort) return port
    if (port + 10000 <= 65535 && (await listenOnce(port + 10000).catch(() => 0)) !== 0) return port
  }
  throw new Error("no free port pair for a cluster node")
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0))
    })
  })
}

export interface RedisServerOptions {
  /** Extra `redis-server` arguments, e.g. ["--cluster-enabled", "yes"]. */
  args?: string[]
  port?: number
}

/** One redis-server process; it can be killed (-9) and restarted on the same port and dir. */
export class RedisServer {
  readonly dir: string
  port = 0
  private child: WatchedProcess | undefined
  private serverPid: number | undefined
  private readonly args: string[]

  constructor(options: RedisServerOptions = {}) {
    this.dir = mkdtempSync(join(tmpdir(), "layeron-redis-"))
    tempDirs.add(this.dir)
    this.args = options.args ?? []
    this.port = options.port ?? 0
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  /** The redis-server process itself (not its watchdog shell). */
  get pid(): number | undefined {
    return this.serverPid
  }

  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort(this.args.includes("--cluster-enabled"))
    // No persistence: a test server starts empty and leaves nothing but its temp dir.
    const args = [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--dir",
      this.dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--logfile",
      "",
      ...this.args,
    ]
    const child = spawnWatched("redis-server", args)
    this.child = child
    await waitForOutput(child, "Ready to accept connections", `redis-server on port ${this.port}`, 10_000)
    this.serverPid = await child.pid
    return this
  }

  /** kill -9: the server vanishes without closing its connections politely. */
  async kill(): Promise<void> {
    await this.stopWith("SIGKILL")
  }

  async stop(): Promise<void> {
    await this.stopWith("SIGTERM")
  }

  async restart(): Promise<void> {
    await this.kill()
    await this.start()
  }

  /** Removes the temp dir; the server must be stopped first. */
  async dispose(): Promise<void> {
    await this.kill()
    rmSync(this.dir, { recursive: true, force: true })
    tempDirs.delete(this.dir)
  }

  /** Runs redis-cli against this server and returns its output. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run("redis-cli", ["-h", "127.0.0.1", "-p", String(this.port), ...args])
    return stdout
  }

  private async stopWith(signal: NodeJS.Signals): Promise<void> {
    const child = this.child
    const pid = this.serverPid
    this.child = undefined
    this.serverPid = undefined
    if (child === undefined || pid === undefined) return
    await signalAndWait(child, pid, signal)
  }
}

export async function startRedis(options?: RedisServerOptions): Promise<RedisServer> {
  return new RedisServer(options).start()
}

/** Three (or more) masters with every slot assigned, no replicas. */
export class RedisCluster {
  constructor(readonly nodes: RedisServer[]) {}

  get url(): string {
    return `redis+cluster://${this.nodes.map((node) => `127.0.0.1:${node.port}`).join(",")}`
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.dispose()))
  }
}

export async function startCluster(masters = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = []
  try {
    for (let index = 0; index < masters; index++) {
      nodes.push(
        await startRedis({
          args: ["--cluster-enabled", "yes", "--cluster-node-timeout", "2000", "--appendonly", "no"],
        }),
      )
    }
    await run("redis-cli", [
      "--cluster",
      "create",
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ])
    await waitForClusterOk(nodes)
    return new RedisCluster(nodes)
  } catch (error) {
    await Promise.all(nodes.map((node) => node.dispose()))
    throw error
  }
}

async function waitForClusterOk(nodes: RedisServer[]): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const infos = await Promise.all(nodes.map((node) => node.cli("cluster", "info")))
    if (infos.every((info) => info.includes("cluster_state:ok"))) return
    if (Date.now() > deadline) throw new Error(`cluster not ok after 15 s:\n${infos.join("\n")}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
