// Makes docs/inspector.png, the README's picture of the inspector: `layeron
// dev` on the docs' example (in memory, so nothing is written to the repo),
// a few logins through its own route, then the page in headless Chromium.
//   node --import tsx scripts/inspector-screenshot.ts
import { spawn } from "node:child_process"
import { mkdirSync } from "node:fs"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"

const root = fileURLToPath(new URL("..", import.meta.url))
const output = fileURLToPath(new URL("../docs/inspector.png", import.meta.url))

const port = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address() as { port: number }
    server.close(() => resolve(port))
  })
})
const dev = spawn(
  process.execPath,
  ["packages/cli/dist/cli.js", "dev", "examples/session-auth/app.ts", "--port", String(port), "--log", "none"],
  { cwd: root, env: { ...process.env, LAYERON_KV: "memory:" }, stdio: ["ignore", "pipe", "inherit"], detached: true },
)
try {
  await new Promise<void>((resolve, reject) => {
    let seen = ""
    dev.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      seen += chunk
      if (seen.includes("inspector at")) resolve()
    })
    dev.once("exit", () => reject(new Error(`layeron dev exited:\n${seen}`)))
  })
  const origin = `http://localhost:${port}`
  const logins = [
    { email: "ada@example.com", rememberMe: true },
    { email: "grace@example.com" },
    { email: "linus@example.com" },
    { email: "margaret@example.com", rememberMe: true },
    { email: "barbara@example.com" },
  ]
  for (const body of logins) {
    const response = await fetch(`${origin}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`login failed: ${response.status}`)
  }
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" })
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 560 }, colorScheme: "light" })
    await page.goto(`${origin}/_layeron/`)
    await page.locator("#keys td.key button").first().waitFor()
    await page.locator("#keys td.key button").nth(1).click()
    await page.locator("#entry-pane:not([hidden])").waitFor()
    mkdirSync(fileURLToPath(new URL("../docs", import.meta.url)), { recursive: true })
    await page.screenshot({ path: output })
    console.log(`wrote ${output}`)
  } finally {
    await browser.close()
  }
} finally {
  process.kill(-(dev.pid as number), "SIGTERM")
}
