// create-layeron as a user runs it: a real process in a temp folder, piped
// (asks nothing) and on a pseudo-terminal through `script` (asks).
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { fileURLToPath } from "node:url"

const BIN = fileURLToPath(new URL("../bin/create-layeron.js", import.meta.url))
const EXAMPLE = fileURLToPath(new URL("../../../examples/session-auth/app.ts", import.meta.url))
const VERSION = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version as string

const work = mkdtempSync(join(tmpdir(), "create-layeron-"))
after(() => rmSync(work, { recursive: true, force: true }))

function create(args: string[], cwd = work, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    input: "",
    env: { ...process.env, npm_config_user_agent: "", ...env },
    timeout: 20_000,
  })
}

function freshDir(name: string): string {
  const dir = join(work, name)
  mkdirSync(dir)
  return dir
}

describe("create-layeron, piped", () => {
  it("writes the project into the named folder without asking anything", () => {
    const result = create(["my-app"])
    assert.equal(result.status, 0, result.stderr)
    assert.doesNotMatch(result.stdout, /\?/, "no question on a pipe")
    const dir = join(work, "my-app")
    assert.deepEqual(readdirSync(dir).sort(), [
      ".gitignore",
      "README.md",
      "app.ts",
      "package.json",
      "test",
      "tsconfig.json",
    ])
    assert.deepEqual(readdirSync(join(dir, "test")), ["app.test.ts"])
    assert.match(result.stdout, /cd my-app\n {2}npm install\n {2}npm run dev/)
  })

  it("package.json has the scripts and depends on this release of Layeron", () => {
    const manifest = JSON.parse(readFileSync(join(work, "my-app", "package.json"), "utf8"))
    assert.equal(manifest.name, "my-app")
    assert.equal(manifest.type, "module")
    assert.deepEqual(Object.keys(manifest.scripts).sort(), ["build", "dev", "start", "test", "typecheck"])
    assert.equal(manifest.scripts.dev, "layeron dev app.ts")
    assert.equal(manifest.scripts.build, "layeron build --target cloudflare app.ts")
    assert.equal(manifest.dependencies["@layeron/core"], `^${VERSION}`)
    assert.equal(manifest.dependencies["@layeron/modules"], `^${VERSION}`)
    assert.equal(manifest.devDependencies.layeron, `^${VERSION}`)
  })

  it("app.ts is the docs' example, exporting its app for the tests", () => {
    const app = readFileSync(join(work, "my-app", "app.ts"), "utf8")
    assert.ok(app.startsWith(readFileSync(EXAMPLE, "utf8")), "app.ts opens with the example unchanged")
    assert.match(app, /\nexport default app\n$/)
  })

  it(".gitignore keeps the local store and the build out of git; the README gives the commands", () => {
    const ignored = readFileSync(join(work, "my-app", ".gitignore"), "utf8").split("\n")
    for (const entry of ["node_modules/", ".layeron/", "dist/"]) assert.ok(ignored.includes(entry), entry)
    const readme = readFileSync(join(work, "my-app", "README.md"), "utf8")
    assert.match(readme, /^# my-app\n/)
    assert.match(readme, /npm install\nnpm run dev/)
    assert.doesNotMatch(readme, /\{\{/)
  })

  it("without a folder, writes my-layeron-app", () => {
    const cwd = freshDir("default")
    const result = create([], cwd)
    assert.equal(result.status, 0, result.stderr)
    assert.ok(existsSync(join(cwd, "my-layeron-app", "app.ts")))
  })

  it("names the package from the folder as npm allows", () => {
    const result = create(["Shop API!"])
    assert.equal(result.status, 0, result.stderr)
    assert.equal(JSON.parse(readFileSync(join(work, "Shop API!", "package.json"), "utf8")).name, "shop-api")
    assert.match(result.stdout, /cd "Shop API!"/)
  })

  it("spells the commands of the package manager that ran it", () => {
    const result = create(["with-pnpm"], work, { npm_config_user_agent: "pnpm/9.1.0 npm/? node/v20.20.2 linux x64" })
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /pnpm install\n {2}pnpm dev/)
  })

  it("refuses a folder that is not empty, and writes nothing", () => {
    const dir = freshDir("taken")
    writeFileSync(join(dir, "notes.txt"), "mine")
    const result = create(["taken"])
    assert.equal(result.status, 1)
    assert.equal(result.stderr, "create-layeron: taken is not empty; choose a new folder name, or empty it first\n")
    assert.deepEqual(readdirSync(dir), ["notes.txt"])
    assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "mine")
  })

  it("accepts a folder holding only a fresh git init", () => {
    const dir = freshDir("with-git")
    mkdirSync(join(dir, ".git"))
    assert.equal(create(["with-git"]).status, 0)
    assert.ok(existsSync(join(dir, "app.ts")))
  })

  it("refuses a file where the folder should be", () => {
    writeFileSync(join(work, "a-file"), "")
    const result = create(["a-file"])
    assert.equal(result.status, 1)
    assert.match(result.stderr, /^create-layeron: a-file exists and is not a folder\n$/)
  })

  it("--version, --help and a mistyped option", () => {
    assert.equal(create(["--version"]).stdout, `${VERSION}\n`)
    assert.equal(create(["-v"]).stdout, `${VERSION}\n`)
    assert.match(create(["--help"]).stdout, /^Usage: npm create layeron@latest/)
    const typo = create(["app", "--instal"])
    assert.equal(typo.status, 1)
    assert.equal(typo.stderr, "create-layeron: Unknown option --instal; run with --help\n")
    assert.ok(!existsSync(join(work, "app")))
  })
})

const hasScript = spawnSync("script", ["--version"]).status === 0

describe("create-layeron, on a terminal", { skip: hasScript ? false : "util-linux's script is not installed" }, () => {
  /** Runs the command on a pseudo-terminal (`script`), typing `input`. */
  function onTerminal(input: string, cwd: string) {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`
    return spawnSync("script", ["-qec", command, "/dev/null"], { cwd, input, encoding: "utf8", timeout: 20_000 })
  }

  it("asks for the folder and whether to install, and takes the answers", () => {
    const cwd = freshDir("tty")
    const result = onTerminal("asked-app\nn\n", cwd)
    assert.equal(result.status, 0, result.stdout)
    assert.match(result.stdout, /Project folder: \(my-layeron-app\)/)
    assert.match(result.stdout, /Install dependencies with npm\? \(yes\)/)
    assert.ok(existsSync(join(cwd, "asked-app", "app.ts")))
    assert.ok(!existsSync(join(cwd, "asked-app", "node_modules")), "answered no to installing")
  })

  it("a closed terminal at a question cancels and writes nothing", () => {
    const cwd = freshDir("tty-cancel")
    const result = onTerminal("half-app\n", cwd)
    assert.equal(result.status, 1)
    assert.match(result.stdout, /create-layeron: cancelled; nothing was written/)
    assert.deepEqual(readdirSync(cwd), [])
  })
})
