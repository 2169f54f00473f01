// The body limit on Cloudflare Workers (workerd, through Miniflare): the
// body-readers fixture built by `layeron build --target cloudflare`, so that
// every way of reading a body is shown limited on workerd's own Request and
// streams too, for bodies of unknown length (chunked) and declared ones.
import assert from "node:assert/strict"
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { fileURLToPath } from "node:url"
import { BODY_READERS, JSON_READERS, readerPath } from "@layeron/test-support/body-readers"
import { Miniflare } from "miniflare"
import { workerOptions } from "../../../packages/cli/src/build/miniflare.ts"
import { WORKER_BODY_LIMIT } from "./support/body-routes-worker.ts"

const FIXTURE = fileURLToPath(new URL("./support/body-routes-worker.ts", import.meta.url))
const CLI = fileURLToPath(new URL("../../../packages/cli/dist/cli.js", import.meta.url))
const outdir = mkdtempSync(join(tmpdir(), "layeron-body-worker-"))
const LIMIT = WORKER_BODY_LIMIT

let mf: Miniflare

before(async () => {
  const build = spawnSync(process.execPath, [CLI, "build", "--target", "cloudflare", FIXTURE, "--outdir", outdir], {
    encoding: "utf8",
  })
  assert.equal(build.status, 0, build.stderr)
  mf = new Miniflare(workerOptions(join(outdir, "wrangler.jsonc")))
})

after(async () => {
  await mf?.dispose()
  rmSync(outdir, { recursive: true, force: true })
})

/** A body of unknown length (sent chunked): `size` bytes in chunks of 16 KiB. */
function streamOf(size: number): ReadableStream<Uint8Array> {
  let left = size
  return new ReadableStream({
    pull(controller) {
      if (left <= 0) return controller.close()
      const chunk = new Uint8Array(Math.min(left, 16 * 1024)).fill(120)
      left -= chunk.byteLength
      controller.enqueue(chunk)
    },
  })
}

function send(
  method: string,
  reader: string,
  body: string | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) {
  const init = { method, body, headers, duplex: "half" }
  return mf.dispatchFetch(`http://localhost${readerPath(method, reader)}`, init as never)
}

const FORM = { "content-type": "application/x-www-form-urlencoded" }
const METHODS = ["POST", "PUT", "DELETE", "OPTIONS", "PROPFIND"]

describe("the body limit on Cloudflare Workers (workerd)", () => {
  for (const method of METHODS) {
    it(`${method}: every reader gets a 413 for a chunked body over the limit`, async () => {
      for (const reader of Object.keys(BODY_READERS)) {
        // A form's type, so that workerd's formData() reads the body rather than refusing it on sight.
        const response = await send(method, reader, streamOf(LIMIT + 16 * 1024), FORM)
        assert.equal(response.status, 413, `${reader}: ${await response.text()}`)
      }
    })
  }

  it("reads a chunked body of exactly the limit, and answers 413 for a declared length over it", async () => {
    for (const reader of ["text", "blob", "stream", "clone-arrayBuffer"]) {
      const within = await send("PROPFIND", reader, streamOf(LIMIT))
      assert.equal(within.status, 200, reader)
      assert.equal(((await within.json()) as { size: number }).size, LIMIT)
      const declared = await send("OPTIONS", reader, "x".repeat(LIMIT + 1))
      assert.equal(declared.status, 413, reader)
    }
  })

  it("answers 400 for malformed JSON and for a body that is not form data, on any method", async () => {
    for (const method of METHODS) {
      for (const reader of JSON_READERS) {
        assert.equal((await send(method, reader, "{")).status, 400, `${method} ${reader}`)
      }
      const form = await send(method, "formData", '{"a":1}', { "content-type": "application/json" })
      assert.equal(form.status, 400, method)
    }
  })
})
