/** Where the app writes what went wrong; the client only ever sees a generic message. */
export interface Logger {
  info(message: string): void
  error(message: string, error?: unknown): void
}

export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  error: (message, error) => (error === undefined ? console.error(message) : console.error(message, error)),
}
