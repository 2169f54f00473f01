// Small statistics for the benchmarks: medians across rounds, percentiles of
// one round's latencies, and the number formats the tables use.

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** The p-th quantile (0..1) of values already sorted ascending (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil(sorted.length * p) - 1
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number
}

/** 12345.6 -> "12,346"; big counts stay readable in a table. */
export function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "-"
}

/** A ratio to two decimals, "x" appended. */
export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : "-"
}

/** Milliseconds shown as microseconds. */
export function micros(ms: number): string {
  if (!Number.isFinite(ms)) return "-"
  const us = ms * 1000
  return us < 10 ? `${us.toFixed(2)} µs` : us < 100 ? `${us.toFixed(1)} µs` : `${Math.round(us)} µs`
}

export function millis(ms: number): string {
  if (!Number.isFinite(ms)) return "-"
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`
}

export function bytes(value: number): string {
  if (!Number.isFinite(value)) return "-"
  if (value >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(2)} GiB`
  if (value >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(1)} MiB`
  return `${Math.round(value)} B`
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n")
}
