/**
 * Writes to a stream as fast as it takes it and no faster: while the reader
 * lags (a slow pipe, a full disk), writing waits, so memory stays flat.
 * A reader that went away (`| head`) ends the run quietly, as Unix tools do.
 */
export class Output {
  private closed = false
  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") this.closed = true
      else throw error
    })
  }

  get readerGone(): boolean {
    return this.closed
  }

  async write(text: string | Uint8Array): Promise<void> {
    if (this.closed) return
    if (!this.stream.write(text)) await this.drained()
  }

  /** Resolves when the reader has taken what was written (or left); removes both listeners either way. */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off("drain", done)
        this.stream.off("close", done)
        resolve()
      }
      this.stream.on("drain", done)
      this.stream.on("close", done)
    })
  }
}
