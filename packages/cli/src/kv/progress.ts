/**
 * Progress of a long export, import or copy on stderr: a bar (cli-progress)
 * when stderr is a terminal, nothing at all when it is piped or redirected,
 * so scripts and logs get only the result line. The library is loaded only
 * on a terminal.
 */
export interface Progress {
  /** `done` entries so far; `fraction` of the input read, when its size is known. */
  update(done: number, fraction?: number): void
  stop(): void
}

const SILENT: Progress = { update() {}, stop() {} }

export async function startProgress(
  label: string,
  options: { knownSize: boolean; stream?: NodeJS.WriteStream },
): Promise<Progress> {
  const stream = options.stream ?? process.stderr
  if (!stream.isTTY) return SILENT
  const { default: cliProgress } = await import("cli-progress")
  const format = options.knownSize
    ? `${label} [{bar}] {percentage}% | {entries} entries | {rate}/s | {eta_formatted} left`
    : `${label} {entries} entries | {rate}/s | {duration_formatted}`
  const bar = new cliProgress.SingleBar({ format, stream, hideCursor: true, clearOnComplete: true, fps: 5 })
  const started = Date.now()
  // The bar's value is per mille of the input read (for the ETA); entries and rate are shown as they are.
  bar.start(1000, 0, { entries: 0, rate: 0 })
  // Ctrl+C would leave the terminal's cursor hidden: give it back first.
  const interrupted = () => {
    bar.stop()
    process.exit(130)
  }
  process.once("SIGINT", interrupted)
  return {
    update(done, fraction) {
      const seconds = (Date.now() - started) / 1000
      const rate = seconds > 0 ? Math.round(done / seconds) : 0
      bar.update(fraction === undefined ? 0 : Math.round(fraction * 1000), { entries: done, rate })
    },
    stop() {
      process.off("SIGINT", interrupted)
      bar.stop()
    },
  }
}
