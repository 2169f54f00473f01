// A private PostgreSQL for tests: initdb into a temp folder, the server on a
// free port of 127.0.0.1 with its socket in that folder, so the machine's own
// server (5432) and its data are never touched. As root, initdb and the server
// run as the `postgres` user (PostgreSQL refuses to run as root). Each server
// runs under a watchdog that kills it however the test process ends.
import { execFile } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { freePort } from "./redis-server.ts"
import { signalAndWait, signalIfAlive, spawnWatched, type WatchedProcess, waitForOutput } from "./watched-process.ts"

const run = promisify(execFile)
const tempDirs = new Set<string>()

process.once("exit", () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

/** The superuser's password: characters a URL parser must not trip on. */
export const POSTGRES_PASSWORD = "s3cr:t/p@ss#?"

/**
 * The folder with initdb and postgres: on PATH, or where Debian's
 * postgresql-NN package puts them (not on PATH), the newest first.
 */
export function postgresBinDir(): string {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir !== "" && existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres"))) return dir
  }
  const root = "/usr/lib/postgresql"
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : []
  for (const version of versions) {
    const dir = join(root, version, "bin")
    if (existsSync(join(dir, "initdb"))) return dir
  }
  throw new Error("PostgreSQL's server binaries (initdb, postgres) are not installed: apt-get install postgresql")
}

/** Who runs initdb and the server: the `postgres` user when we are root, else ourselves. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run("id", ["-u", "postgres"]),
    run("id", ["-g", "postgres"]),
  ])
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) }
}

/** One PostgreSQL server; it can be stopped, crashed and started again on the same port and data. */
export class PostgresServer {
  readonly dir: string
  port = 0
  private child: WatchedProcess | undefined
  private serverPid: number | undefined
  private initialized = false
  private user: { uid: number; gid: number } | undefined

  constructor(options: { port?: number } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), "layeron-pg-"))
    tempDirs.add(this.dir)
    this.port = options.port ?? 0
  }

  /** The superuser on the `postgres` database, with its password (scram-sha-256 over TCP). */
  get url(): string {
    return `postgres://postgres:${POSTGRES_PASSWORD}@127.0.0.1:${this.port}/postgres`
  }

  /** The same, as the options object raw clients (pg, postgres) take. */
  get connection(): { host: string; port: number; user: string; password: string; database: string } {
    return { host: "127.0.0.1", port: this.port, user: "postgres", password: POSTGRES_PASSWORD, database: "postgres" }
  }

  /** The postmaster's pid. */
  get pid(): number | undefined {
    return this.serverPid
  }

  async start(): Promise<this> {
    const bin = postgresBinDir()
    if (!this.initialized) await this.init(bin)
    if (this.port === 0) this.port = await freePort()
    const args = [
      "-D",
      join(this.dir, "data"),
      "-p",
      String(this.port),
      "-k",
      this.dir,
      "-c",
      "listen_addresses=127.0.0.1",
      // fsync only guards against an OS crash; a killed server keeps every commit it acknowledged either way.
      "-c",
      "fsync=off",
      "-c",
      "max_connections=200",
    ]
    const child = spawnWatched(join(bin, "postgres"), args, { ...this.user, cwd: this.dir })
    this.child = child
    await waitForOutput(child, "ready to accept connections", `postgres on port ${this.port}`, 20_000)
    this.serverPid = await child.pid
    return this
  }

  private async init(bin: string): Promise<void> {
    this.user = await serverUser()
    if (this.user !== undefined) chownSync(this.dir, this.user.uid, this.user.gid)
    const pwfile = join(this.dir, "pwfile")
    writeFileSync(pwfile, `${POSTGRES_PASSWORD}\n`)
    if (this.user !== undefined) chownSync(pwfile, this.user.uid, this.user.gid)
    await run(
      join(bin, "initdb"),
      [
        "-D",
        join(this.dir, "data"),
        "-U",
        "postgres",
        `--pwfile=${pwfile}`,
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
      ],
      { ...this.user, cwd: this.dir },
    )
    rmSync(pwfile)
    this.initialized = true
  }

  /** Fast shutdown: sessions are ended, the server checkpoints and exits. */
  async stop(): Promise<void> {
    await this.stopWith("SIGINT")
  }

  /**
   * Immediate shutdown, as a crash: every process exits at once, without a
   * checkpoint; the next start recovers from the write-ahead log.
   */
  async crash(): Promise<void> {
    await this.stopWith("SIGQUIT")
  }

  /**
   * kill -9 of the server and every backend at once, as a machine-level crash
   * of the processes would leave it; the next start recovers from the WAL.
   */
  async kill(): Promise<void> {
    const pid = this.serverPid
    if (pid === undefined) return
    for (const child of childrenOf(pid)) signalIfAlive(child, "SIGKILL")
    await this.stopWith("SIGKILL")
  }

  /** SIGSTOP to the server and its backends: connections stay open, nothing answers. */
  pause(): void {
    const pid = this.serverPid
    if (pid === undefined) return
    signalIfAlive(pid, "SIGSTOP")
    for (const child of childrenOf(pid)) signalIfAlive(child, "SIGSTOP")
  }

  resume(): void {
    const pid = this.serverPid
    if (pid === undefined) return
    for (const child of childrenOf(pid)) signalIfAlive(child, "SIGCONT")
    signalIfAlive(pid, "SIGCONT")
  }

  async restart(): Promise<void> {
    await this.crash()
    await this.start()
  }

  /** Stops the server and removes its folder. */
  async dispose(): Promise<void> {
    await this.crash()
    rmSync(this.dir, { recursive: true, force: true })
    tempDirs.delete(this.dir)
  }

  /** Runs SQL with psql over the socket (no password) and returns its unaligned output. */
  async sql(statement: string, database = "postgres"): Promise<string> {
    const psql = existsSync(join(postgresBinDir(), "psql")) ? join(postgresBinDir(), "psql") : "psql"
    const { stdout } = await run(
      psql,
      ["-h", this.dir, "-p", String(this.port), "-U", "postgres", "-d", database, "-X", "-A", "-t", "-c", statement],
      { ...this.user, cwd: this.dir },
    )
    return stdout.trim()
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

/** The processes whose parent is `pid` (the server's backends), from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = []
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      if (ppid === pid) children.push(Number(entry))
    } catch {
      // Exited meanwhile.
    }
  }
  return children
}

export async function startPostgres(options?: { port?: number }): Promise<PostgresServer> {
  return new PostgresServer(options).start()
}
