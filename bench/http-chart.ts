// The HTTP comparison as an SVG chart (bench/http-chart.svg), written by
// `npm run bench` from the run's own medians: requests/s and CPU per request
// of Layeron, the hand-written limit and the framework peers, per backend.
// BENCHMARKS.md and the README show the file; it is never drawn by hand.
import { readFileSync, writeFileSync } from "node:fs"
import { loadavg } from "node:os"
import { fileURLToPath } from "node:url"
import type { RunContext } from "./report.ts"

export interface ChartRow {
  backend: string
  name: string
  kind: "layeron" | "limit" | "peer"
  requestsPerSecond: number
  cpuMicrosPerRequest: number
}

export const CHART_PATH = fileURLToPath(new URL("http-chart.svg", import.meta.url))

const COLORS = { layeron: "#2563eb", limit: "#4b5563", peer: "#cbd5e1" } as const
const LABEL_WIDTH = 290
const PANEL_WIDTH = 300
const GAP = 40
const BAR = 16
const ROW = 22
const HEADER = 24

/** Writes the chart for a full run with every server; a quick or partial run would replace it with noise. */
export function writeChart(rows: ChartRow[], context: RunContext): void {
  if (context.quick || process.env.BENCH_HTTP_ONLY !== undefined) {
    context.log("http: chart not written (quick or partial run)")
    return
  }
  writeFileSync(CHART_PATH, renderChart(rows, new Date(), loadavg()))
  context.log(`http: chart written to ${CHART_PATH}`)
}

export function renderChart(rows: ChartRow[], when: Date, load: number[]): string {
  const backends = [...new Set(rows.map((row) => row.backend))]
  const maxRps = Math.max(...rows.map((row) => row.requestsPerSecond).filter(Number.isFinite), 1)
  // Express spends 10-20x the CPU of the others: the axis stops at 3x the hand-written servers' dearest, and
  // a longer bar is cut there with its value written after it.
  const limits = rows.filter((row) => row.kind === "limit").map((row) => row.cpuMicrosPerRequest)
  const allCpu = rows.map((row) => row.cpuMicrosPerRequest).filter(Number.isFinite)
  const maxCpu = Math.max(
    Math.min(Math.max(...allCpu, 1), 3 * Math.max(...limits.filter(Number.isFinite), 0) || Infinity),
    1,
  )
  const parts: string[] = []
  let y = 70
  const left = LABEL_WIDTH
  const right = LABEL_WIDTH + PANEL_WIDTH + GAP
  for (const backend of backends) {
    parts.push(text(10, y + 14, backend, { weight: "bold" }))
    y += HEADER
    const group = rows
      .filter((row) => row.backend === backend)
      .sort((a, b) => order(a) - order(b) || b.requestsPerSecond - a.requestsPerSecond)
    for (const row of group) {
      const color = COLORS[row.kind]
      parts.push(
        text(left - 8, y + 12, row.name, { anchor: "end", weight: row.kind === "layeron" ? "bold" : "normal" }),
      )
      parts.push(bar(left, y, (row.requestsPerSecond / maxRps) * (PANEL_WIDTH - 60), color))
      parts.push(
        text(left + (row.requestsPerSecond / maxRps) * (PANEL_WIDTH - 60) + 4, y + 12, rps(row.requestsPerSecond)),
      )
      const cpuWidth = Math.min(row.cpuMicrosPerRequest / maxCpu, 1) * (PANEL_WIDTH - 60)
      const cut = row.cpuMicrosPerRequest > maxCpu ? " (cut)" : ""
      parts.push(bar(right, y, cpuWidth, color))
      parts.push(text(right + cpuWidth + 4, y + 12, `${cpu(row.cpuMicrosPerRequest)}${cut}`))
      y += ROW
    }
    y += 8
  }
  const width = right + PANEL_WIDTH
  const height = y + 24
  const title = "GET /api/profile with a valid session: the docs' example on Layeron, the hand-written limit, the peers"
  const note =
    `npm run bench, ${when.toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${load.map((value) => value.toFixed(1)).join(", ")}; ` +
    "medians of alternated rounds (BENCHMARKS.md)"
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<title>${escapeXml(`${title}: requests/s and server CPU per request, per backend`)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(10, 20, title, { weight: "bold", size: 14 }),
    text(10, 38, note, { fill: "#4b5563", size: 11 }),
    text(left, 60, "requests/s (higher is better)", { weight: "bold" }),
    text(right, 60, "server CPU per request (lower is better)", { weight: "bold" }),
    ...parts,
    text(
      10,
      height - 8,
      "blue: Layeron   dark grey: hand-written node:http + the raw client   light: framework peers",
      {
        fill: "#4b5563",
        size: 11,
      },
    ),
    "</svg>",
    "",
  ].join("\n")
}

function order(row: ChartRow): number {
  return row.kind === "layeron" ? 0 : row.kind === "limit" ? 1 : 2
}

function bar(x: number, y: number, width: number, fill: string): string {
  return `<rect x="${x}" y="${y}" width="${Math.max(1, width).toFixed(1)}" height="${BAR}" fill="${fill}" rx="2"/>`
}

function text(
  x: number,
  y: number,
  content: string,
  style: { anchor?: "end"; weight?: string; size?: number; fill?: string } = {},
): string {
  const attributes = [
    `x="${x.toFixed(1)}"`,
    `y="${y}"`,
    style.anchor ? `text-anchor="${style.anchor}"` : "",
    style.weight && style.weight !== "normal" ? `font-weight="${style.weight}"` : "",
    style.size ? `font-size="${style.size}"` : "",
    `fill="${style.fill ?? "#111827"}"`,
  ].filter((attribute) => attribute !== "")
  return `<text ${attributes.join(" ")}>${escapeXml(content)}</text>`
}

function escapeXml(value: string): string {
  return value.replace(/[<>&"]/g, (char) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[char] as string)
}

function rps(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value).toLocaleString("en-US")}` : "-"
}

function cpu(value: number): string {
  return Number.isFinite(value) ? `${value < 100 ? value.toFixed(1) : Math.round(value)} µs` : "-"
}

/**
 * The chart again from a run's markdown (`npm run bench -- --out FILE`), for
 * a change to the chart itself: `node --import tsx bench/http-chart.ts FILE`.
 */
export function chartFromMarkdown(markdown: string): string {
  const when = new Date(/^Run: .*?, (\S+Z),/m.exec(markdown)?.[1] ?? Number.NaN)
  const load = (/^Load average at the end: (.*)\.$/m.exec(markdown)?.[1] ?? "").split(", ").map(Number)
  const section = markdown.slice(markdown.indexOf("### HTTP"))
  const rows: ChartRow[] = []
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim())
    // | server | backend | req/s | p50 | p99 | x raw | x raw + client | x best peer | server CPU | CPU per request | capacity x raw |
    if (cells.length !== 13 || cells[2] === "backend" || cells[2] === "---" || cells[2] === "-") continue
    const [name, backend, rps, , , , , , , cpu] = cells.slice(1) as string[]
    if (name === undefined || backend === undefined || (name.startsWith("Layeron,") && backend !== "-")) continue
    const limit = name === "raw node:http + raw client"
    rows.push({
      backend,
      name: limit ? "hand-written (node:http + client)" : name,
      kind: name.startsWith("Layeron") ? "layeron" : limit ? "limit" : "peer",
      requestsPerSecond: Number((rps ?? "").replaceAll(",", "")),
      cpuMicrosPerRequest: Number.parseFloat(cpu ?? ""),
    })
  }
  if (rows.length === 0) throw new Error("no HTTP table in that markdown")
  return renderChart(rows, when, load)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2]
  if (file === undefined) throw new Error("usage: node --import tsx bench/http-chart.ts RESULTS.md")
  writeFileSync(CHART_PATH, chartFromMarkdown(readFileSync(file, "utf8")))
  console.log(`written: ${CHART_PATH}`)
}
