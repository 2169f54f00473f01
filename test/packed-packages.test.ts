// The packages as users get them: packed into tarballs, checked with publint
// and arethetypeswrong, then installed into a project outside this
// repository that create-layeron scaffolded, with nothing of the repository
// beside it. There the scaffolded project's own test, its dev server,
// `npx layeron start` and `layeron build --target cloudflare` must work.
import assert from "node:assert/strict"
import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { fileURLToPath } from "node:url"

const REPO = fileURLToPath(new URL("../", import.meta.url))
const BIN = join(REPO, "node_modules", ".bin")
const PACKAGES = ["packages/core", "packages/modules", "packages/cli", "packages/create-layeron"]

const work = mkdtempSync(join(tmpdir(), "layeron-packed-"))
const packs = join(work, "packs")
const project = join(work, "my-app")
const tarballs = new Map<string, string>()
const running = new Set<ChildProcess>()

/** The environment of a user's shell: no test-runner variables, no tsx loader, npm without progress noise. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_fund: "false", npm_config_audit: "false" }
  for (const name of ["NODE_TEST_CONTEXT", "NODE_OPTIONS", "LAYERON_KV", "PORT", "HOST", "npm_config_user_agent"])
    delete env[name]
  return { ...env, ...extra }
}

function run(command: string, args: string[], cwd: string, timeout = 120_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: userEnv(), encoding: "utf8", timeout })
  assert.equal(result.status, 0, `${command} ${args.join(" ")} failed\n${result.stdout}\n${result.stderr}`)
  return result
}

before(
  () => {
    mkdirSync(packs)
    const packed = run(
      "npm",
      ["pack", "--json", "--pack-destination", packs, ...PACKAGES.flatMap((p) => ["-w", p])],
      REPO,
    )
    for (const { name, filename } of JSON.parse(packed.stdout) as { name: string; filename: string }[]) {
      tarballs.set(name, join(packs, filename))
    }
    assert.deepEqual([...tarballs.keys()].sort(), ["@layeron/core", "@layeron/modules", "create-layeron", "layeron"])
  },
  { timeout: 120_000 },
)

after(() => {
  for (const child of running) killGroup(child)
  rmSync(work, { recursive: true, force: true })
})

describe("the packed tarballs", () => {
  for (const name of ["@layeron/core", "@layeron/modules", "layeron", "create-layeron"]) {
    it(`${name} passes publint`, () => {
      const result = run(join(BIN, "publint"), ["run", tarballs.get(name) as string, "--strict"], work)
      assert.match(result.stdout, /All good!/)
    })

    it(`${name} passes arethetypeswrong (ESM-only)`, () => {
      // attw exits non-zero on a problem that counts for ESM-only packages (run() checks the exit);
      // the JSON also shows that each entry point resolved to types for Node.js ESM and bundlers.
      const result = run(
        join(BIN, "attw"),
        [tarballs.get(name) as string, "--profile", "esm-only", "--format", "json"],
        work,
      )
      const { analysis } = JSON.parse(result.stdout) as {
        analysis: {
          entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }>
        }
      }
      const entrypoints = Object.entries(analysis.entrypoints)
      assert.ok(entrypoints.length > 0)
      for (const [entrypoint, { resolutions }] of entrypoints) {
        for (const kind of ["node16-esm", "bundler"]) {
          assert.ok(resolutions[kind]?.resolution, `${name} ${entrypoint} resolves under ${kind}`)
        }
      }
    })
  }

  it("hold their README, their build and nothing of the tests", () => {
    for (const [name, tarball] of tarballs) {
      const files = run("tar", ["tzf", tarball], work).stdout.split("\n")
      assert.ok(files.includes("package/README.md"), `${name} has its README`)
      assert.ok(files.includes("package/package.json"))
      assert.ok(
        files.some((file) => file.startsWith("package/dist/") && file.endsWith(".js")),
        `${name} has dist/`,
      )
      assert.ok(!files.some((file) => /^package\/test\//.test(file) || file.endsWith(".tsbuildinfo")), name)
    }
  })
})

describe("a project that create-layeron scaffolds, installed from the tarballs", { timeout: 600_000 }, () => {
  before(
    () => {
      // As `npm create layeron@latest my-app` runs it: from its package, piped, so it asks nothing.
      run(
        "npm",
        ["exec", "--yes", `--package=${tarballs.get("create-layeron")}`, "--", "create-layeron", "my-app"],
        work,
      )
      assert.ok(existsSync(join(project, "app.ts")))
      // The tarballs stand in for the registry's @layeron/core, @layeron/modules and layeron; then the README's
      // `npm install`.
      const manifestPath = join(project, "package.json")
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8"))
      for (const deps of [manifest.dependencies, manifest.devDependencies]) {
        for (const name of Object.keys(deps)) if (tarballs.has(name)) deps[name] = `file:${tarballs.get(name)}`
      }
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2))
      run("npm", ["install"], project, 480_000)
    },
    { timeout: 600_000 },
  )

  it("installs nothing from this repository", () => {
    const manifest = JSON.parse(readFileSync(join(project, "node_modules/@layeron/core/package.json"), "utf8"))
    assert.equal(manifest.name, "@layeron/core")
    const lock = readFileSync(join(project, "package-lock.json"), "utf8")
    assert.doesNotMatch(lock, new RegExp(REPO.replaceAll("/", "\\/")), "no link into the repository")
  })

  it("npx layeron --version", () => {
    const result = run("npx", ["layeron", "--version"], project)
    assert.equal(
      result.stdout.trim(),
      JSON.parse(readFileSync(join(REPO, "packages/cli/package.json"), "utf8")).version,
    )
  })

  it("its own npm test passes (the app in-process, a 24-hour session expiring on the fake clock)", () => {
    const result = run("npm", ["test"], project)
    assert.match(result.stdout, /# pass 3\n/)
    assert.match(result.stdout, /# fail 0\n/)
  })

  it("its typecheck passes", () => {
    run("npm", ["run", "typecheck"], project)
  })

  it("npm run dev serves the app", async () => {
    const port = await freePort()
    const dev = startGroup("npm", ["run", "dev", "--", "--port", String(port)], project)
    await assertSessionFlow(`http://127.0.0.1:${port}`, dev)
    killGroup(dev)
  })

  it("npx layeron start serves the docs' example on the embedded SQLite store", async () => {
    const port = await freePort()
    const server = startGroup("npx", ["layeron", "start", "app.ts", "--port", String(port)], project)
    await assertSessionFlow(`http://127.0.0.1:${port}`, server)
    killGroup(server)
    assert.ok(existsSync(join(project, ".layeron", "kv.db")), "sessions went to ./.layeron/kv.db")
  })

  it("@layeron/core's README example runs with tsx", () =>
    runReadmeExample(
      "@layeron/core",
      (file) => ["npx", ["tsx", file]],
      async (base) => {
        assert.deepEqual(await (await fetch(`${base}/hello/ada`)).json(), { hello: "ada" })
        const echo = await fetch(`${base}/echo`, { method: "POST", body: '{"text":"hi"}' })
        assert.deepEqual(await echo.json(), { echo: "hi" })
        assert.equal((await fetch(`${base}/echo`, { method: "POST", body: "{not json" })).status, 400)
      },
    ))

  it("@layeron/modules's README example runs with layeron start", () =>
    runReadmeExample(
      "@layeron/modules",
      (file, port) => ["npx", ["layeron", "start", file, "--port", String(port)]],
      async (base) => {
        const { token } = (await (await fetch(`${base}/login`, { method: "POST" })).json()) as { token: string }
        const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } })
        assert.deepEqual(await me.json(), { userId: "usr_1" })
        assert.equal((await fetch(`${base}/me`)).status, 401)
      },
    ))

  it("layeron's README example runs with layeron dev", () =>
    runReadmeExample(
      "layeron",
      (file, port) => ["npx", ["layeron", "dev", file, "--port", String(port)]],
      async (base) => {
        assert.equal(await (await fetch(`${base}/`)).text(), "Hello from Layeron")
      },
    ))

  it("npm run build writes the Worker and its wrangler.jsonc", () => {
    const result = run("npm", ["run", "build"], project)
    assert.match(result.stderr + result.stdout, /1 KV namespace: AUTH_USER_SESSIONS/)
    const worker = readFileSync(join(project, "dist/cloudflare/worker.js"), "utf8")
    assert.doesNotMatch(worker, /better-sqlite3|ioredis|pg-protocol|pg-pool|from "node:/)
    const config = readFileSync(join(project, "dist/cloudflare/wrangler.jsonc"), "utf8")
    assert.match(config, /"binding":"AUTH_USER_SESSIONS"/)
  })
})

/** The first TypeScript block of a package's README, the one that opens with `// app.ts`. */
function readmeExample(pkg: string): string {
  const readme = readFileSync(join(project, "node_modules", pkg, "README.md"), "utf8")
  const example = /```ts\n(\/\/ app\.ts\n[\s\S]*?)```/.exec(readme)?.[1]
  assert.ok(example, `${pkg}'s README opens its example with // app.ts`)
  return example
}

/** Runs a README's example as a user would, then asks it what the README says it answers. */
async function runReadmeExample(
  pkg: string,
  command: (file: string, port: number) => [string, string[]],
  check: (base: string) => Promise<void>,
): Promise<void> {
  const file = `readme-${pkg.replace(/\W+/g, "-")}.ts`
  writeFileSync(join(project, file), readmeExample(pkg))
  const port = await freePort()
  const [executable, args] = command(file, port)
  const server = startGroup(executable, args, project, { PORT: String(port), LAYERON_KV: "memory:" })
  try {
    await waitUntilServing(`http://127.0.0.1:${port}`, server)
    await check(`http://127.0.0.1:${port}`)
  } finally {
    killGroup(server)
  }
}

/** Logs in, reads the profile, logs out, reads it again: what the README's curl lines do. */
async function assertSessionFlow(base: string, server: ChildProcess & { output: () => string }): Promise<void> {
  await waitUntilServing(base, server)
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "ada@example.com" }),
  })
  assert.equal(login.status, 200, server.output())
  const { token } = (await login.json()) as { token: string }
  const headers = { authorization: `Bearer ${token}` }
  const profile = await fetch(`${base}/api/profile`, { headers })
  assert.equal(profile.status, 200)
  assert.equal(((await profile.json()) as { message: string }).message, "Hello, ada@example.com!")
  assert.equal((await fetch(`${base}/api/auth/logout`, { method: "POST", headers })).status, 200)
  assert.equal((await fetch(`${base}/api/profile`, { headers })).status, 401)
}

async function waitUntilServing(base: string, server: ChildProcess & { output: () => string }): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (server.exitCode !== null) assert.fail(`the server exited\n${server.output()}`)
    const answered = await fetch(`${base}/`).then(
      () => true,
      () => false,
    )
    if (answered) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.fail(`nothing served ${base} within 60 s\n${server.output()}`)
}

/** Starts a command in its own process group, so that killing it ends what it started (tsx, the app). */
function startGroup(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): ChildProcess & { output: () => string } {
  const child = spawn(command, args, { cwd, env: userEnv(env), detached: true, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk
  })
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk
  })
  running.add(child)
  return Object.assign(child, { output: () => output })
}

function killGroup(child: ChildProcess): void {
  running.delete(child)
  try {
    process.kill(-(child.pid as number), "SIGKILL")
  } catch {
    // already gone
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
