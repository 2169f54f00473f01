import { createInterface, type Interface } from "node:readline"

/**
 * Questions on the terminal. One reader serves them all and its lines are
 * queued, so answers typed ahead (or pasted at once) are not lost between them.
 */
export class Terminal {
  private reader: Interface | undefined
  private lines: AsyncIterator<string> | undefined

  /** Asks one question; an empty answer takes the default. */
  async ask(question: string, fallback: string): Promise<string> {
    if (this.reader === undefined) {
      this.reader = createInterface({ input: process.stdin, output: process.stdout })
      // Ctrl+C at a question ends the questions (readline only pauses without a listener).
      this.reader.on("SIGINT", () => this.reader?.close())
    }
    this.lines ??= this.reader[Symbol.asyncIterator]()
    this.reader.setPrompt(`${question} (${fallback}) `)
    this.reader.prompt()
    const line = await this.lines.next()
    if (line.done) throw new CancelledError()
    const answer = line.value.trim()
    return answer === "" ? fallback : answer
  }

  /** A yes/no question whose default is yes. */
  async confirm(question: string): Promise<boolean> {
    return /^(y|yes)$/i.test(await this.ask(question, "yes"))
  }

  close(): void {
    this.reader?.close()
  }
}

/** The terminal closed at a question (Ctrl+D, or Ctrl+C, which closes the reader too). */
export class CancelledError extends Error {}
