// What each benchmark section hands back to the runner: a markdown section and
// the targets it measured.
import type { RedisServer } from "@layeron/test-support/redis-server"

export interface Target {
  /** The wording of the target. */
  goal: string
  /** Where we stand, in the target's own unit. */
  measured: string
  met: boolean
}

export interface Section {
  title: string
  /** Markdown: tables and a line on how it was measured. */
  body: string
  targets: Target[]
}

export interface RunContext {
  quick: boolean
  /** A temporary folder for database files, removed after the run. */
  dir: string
  redis: RedisServer
  /** Progress for the terminal (stderr), never in the report. */
  log(message: string): void
}
