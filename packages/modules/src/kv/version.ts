// An entry's version: a random prefix chosen once per process (64 bits, so
// two processes never share one) and a counter. It never repeats for a key,
// even after a delete and a new write, and costs no random draw per write.
// The prefix is drawn on first use: Workers forbid randomness at start-up.

let prefix: string | undefined
let counter = 0

/** A version no write anywhere has had before. */
export function newVersion(): string {
  prefix ??= randomPrefix()
  counter++
  return prefix + counter.toString(36)
}

function randomPrefix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  let text = ""
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0")
  return `${text}.`
}
