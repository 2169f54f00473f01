import assert from "node:assert/strict"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { EXAMPLE_APP, killAll, occupyPort, runCli, tempProject } from "./support/cli-process.js"

after(killAll)

let busy: Awaited<ReturnType<typeof occupyPort>>
before(async () => {
  busy = await occupyPort()
})
after(() => busy.release())

/** A user's mistake: a non-zero exit and exactly one line on stderr, with no stack trace. */
async function assertOneLineError(
  args: string[],
  expected: RegExp,
  env: Record<string, string | undefined> = {},
): Promise<void> {
  const cli = await runCli(args, { env })
  assert.notEqual(cli.exit.code, 0, cli.output())
  assert.equal(cli.exit.signal, null, cli.output())
  const lines = cli.stderr.trimEnd().split("\n")
  assert.equal(lines.length, 1, `expected one line on stderr\n${cli.output()}`)
  assert.doesNotMatch(cli.stderr, /^\s+at /m)
  assert.match(lines[0] as string, /^layeron: /)
  assert.match(lines[0] as string, expected)
  assert.equal(cli.stdout, "", cli.output())
  // No password from a test's LAYERON_KV ("Pw0...") shows, not even a piece of one.
  assert.doesNotMatch(cli.output(), /Pw0/)
}

// Each case is its own process; two at a time keeps a shared 2-core machine responsive.
describe("one-line errors", { concurrency: 2, timeout: 60_000 }, () => {
  for (const command of ["start", "dev"]) {
    it(`${command}: a missing entry file`, () =>
      assertOneLineError([command, "no-such-app.ts"], /Entry file not found: no-such-app\.ts$/))

    it(`${command}: no entry file`, () => assertOneLineError([command], /Name the app's entry file/))

    it(`${command}: a port in use`, () =>
      assertOneLineError([command, EXAMPLE_APP, "--port", String(busy.port)], /port \d+ is already in use/))

    it(`${command}: a bad LAYERON_KV names the variable and the accepted forms`, () =>
      assertOneLineError([command, EXAMPLE_APP, "--port", "0"], /LAYERON_KV="foo:" .*sqlite:<path>.*memory:/, {
        LAYERON_KV: "foo:",
      }))

    it(`${command}: a bad PORT`, () =>
      assertOneLineError([command, EXAMPLE_APP], /PORT must be a port number from 0 to 65535, got "80a"/, {
        PORT: "80a",
      }))

    it(`${command}: an unknown --log value`, () =>
      assertOneLineError(
        [command, EXAMPLE_APP, "--log", "verbose"],
        /--log must be "requests" or "none", got "verbose"$/,
      ))

    it(`${command}: a bad --port`, () =>
      assertOneLineError([command, EXAMPLE_APP, "--port", "65536"], /--port must be a port number/))
  }

  // A mistyped Redis URL printed whole, or the part of the password before an unencoded "/".
  const withPassword = [
    ["start", "reddis://admin:Pw0s3cr/t@cache:6379"],
    ["start", " redis://admin:Pw0s3cr/t@cache:6379"],
    ["start", "redis:/admin:Pw0s3cr@cache:6379"],
    ["start", "rediss+clustr://admin:Pw0s3cr@a:1,b:2"],
    ["start", "redis://admin:Pw0s3cr/t@cache:99999"],
    ["dev", "redis//:Pw0s3cr?t@cache:6379"],
  ]
  for (const [command, url] of withPassword) {
    it(`${command}: a bad LAYERON_KV ${JSON.stringify(url)} never shows its password`, async () => {
      await assertOneLineError([command as string, EXAMPLE_APP, "--port", "0"], /LAYERON_KV=".*\*\*\*@/, {
        LAYERON_KV: url,
      })
    })
  }

  it("an unknown command", () => assertOneLineError(["serve", EXAMPLE_APP], /Unknown command "serve"/))
  it("an unknown option", () => assertOneLineError(["start", EXAMPLE_APP, "--verbose"], /Unknown option --verbose/))
  it("an extra argument", () => assertOneLineError(["start", EXAMPLE_APP, "more.ts"], /Unexpected argument "more\.ts"/))
  for (const [kind, files] of [
    ["CommonJS", {}],
    ["ES module", { "package.json": '{ "type": "module" }' }],
  ] as const) {
    it(`an entry (${kind}) importing a package that is not installed`, async () => {
      const project = await tempProject({ ...files, "app.ts": 'import "layeron-no-such-package"\n' })
      after(project.remove)
      await assertOneLineError(
        ["start", join(project.dir, "app.ts")],
        /Cannot find (module|package) 'layeron-no-such-package' imported from .*app\.ts$/,
      )
    })
  }

  it("a host that is not on this machine", () =>
    assertOneLineError(["start", EXAMPLE_APP, "--port", "0", "--host", "192.0.2.1"], /no such address/))
})

describe("help", { concurrency: 2 }, () => {
  for (const args of [["--help"], ["help"], ["-h"], ["start", "--help"]]) {
    it(`layeron ${args.join(" ")} prints the usage and exits 0`, async () => {
      const cli = await runCli(args)
      assert.equal(cli.exit.code, 0)
      assert.match(cli.stdout, /^Usage:\n {2}layeron dev <entry\.ts>/)
      assert.match(cli.stdout, /LAYERON_KV/)
      assert.equal(cli.stderr, "")
    })
  }

  for (const args of [["--version"], ["-v"], ["version"]]) {
    it(`layeron ${args.join(" ")} prints the package's version and exits 0`, async () => {
      const cli = await runCli(args)
      const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
      assert.equal(cli.exit.code, 0, cli.output())
      assert.equal(cli.stdout, `${manifest.version}\n`)
      assert.equal(cli.stderr, "")
    })
  }

  it("layeron alone prints the usage to stderr and exits 1", async () => {
    const cli = await runCli([])
    assert.equal(cli.exit.code, 1)
    assert.match(cli.stderr, /^Usage:/)
    assert.equal(cli.stdout, "")
  })
})
