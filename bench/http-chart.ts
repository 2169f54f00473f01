// The HTTP comparison as an SVG chart (bench/http-chart.svg), written by
// `npm run bench` from the run's own medians: requests/s and CPU per request
// of Layeron, the hand-written limit and the framework peers, per backend.
// BENCHMARKS.md and the README show the file; it is never drawn by hand.
import { writeFileSync } from "node:fs"
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
  const maxCpu = Math.max(...rows.map((row) => row.cpuMicrosPerRequest).filter(Number.isFinite), 1)
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
      parts.push(bar(right, y, (row.cpuMicrosPerRequest / maxCpu) * (PANEL_WIDTH - 60), color))
      parts.push(
        text(right + (row.cpuMicrosPerRequest / maxCpu) * (PANEL_WIDTH - 60) + 4, y + 12, cpu(row.cpuMicrosPerRequest)),
      )
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
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
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
