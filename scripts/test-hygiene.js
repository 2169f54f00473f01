// Preloaded into every test process by scripts/run-tests.js (`--import`):
// a test file fails when it leaves an unhandled promise rejection, or when
// something it opened (a server, a socket, a child process, a timer) is still
// keeping the process alive once its tests are done. The runner passes
// --test-force-exit, so such a file exits instead of hanging, and this hook
// names what was left open.

// Requests in progress are not leaks: a write to stdout, a closing handle, a file read.
const TRANSIENT = new Set(["CloseReq", "WriteWrap", "ShutdownWrap", "FSReqCallback", "FSReqPromise"])

const file = process.argv[1] ?? "a test file"
const rejections = []

process.on("unhandledRejection", (reason) => {
  rejections.push(reason)
  process.exitCode = 1
  process.stderr.write(`test-hygiene: ${file}: unhandled promise rejection: ${describe(reason)}\n`)
})

// --test-force-exit calls process.exit() once every test and hook of the file
// is done. A server or child process closed in an `after` hook is still
// closing at that moment, and some libraries end with a short timer of their
// own (ioredis gives a closed socket 2 s to end), so the check waits until
// nothing is left, up to SETTLE_MS; whatever still keeps the process alive
// then was never closed.
const SETTLE_MS = 3000
const POLL_MS = 25
const exit = process.exit
let checking = false
process.exit = function exitAfterCheck(code) {
  if (checking) return exit.call(process, code)
  checking = true
  if (code !== undefined) process.exitCode = code
  const deadline = performance.now() + SETTLE_MS
  const poll = () => {
    const leaked = leftOpen()
    if (leaked.length > 0 && performance.now() < deadline) {
      setTimeout(poll, POLL_MS)
      return
    }
    if (leaked.length > 0) {
      process.exitCode = 1
      process.stderr.write(
        `test-hygiene: ${file}: still open ${SETTLE_MS / 1000} s after its tests: ${leaked.join(", ")}\n`,
      )
    }
    if (rejections.length > 0) process.exitCode = 1
    exit.call(process)
  }
  setTimeout(poll, POLL_MS)
}

/** What keeps the event loop alive, but the process's own stdio and requests in flight. */
function leftOpen() {
  const counts = new Map()
  for (const type of process.getActiveResourcesInfo()) {
    if (!TRANSIENT.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1)
  }
  // The timer running this check is not a leak.
  if (checking) counts.set("Timeout", (counts.get("Timeout") ?? 1) - 1)
  // The test runner reports through stdout and stderr: those handles are the runner's.
  for (const stream of [process.stdout, process.stderr]) {
    const handle = stream._handle
    if (handle && typeof handle.hasRef === "function" && handle.hasRef()) {
      const type = handle.constructor?.name === "TTY" ? "TTYWrap" : "PipeWrap"
      const count = counts.get(type) ?? 0
      if (count > 0) counts.set(type, count - 1)
    }
  }
  return [...counts].filter(([, count]) => count > 0).map(([type, count]) => (count === 1 ? type : `${type} x${count}`))
}

function describe(reason) {
  if (reason instanceof Error) return reason.stack ?? `${reason.name}: ${reason.message}`
  return String(reason)
}
