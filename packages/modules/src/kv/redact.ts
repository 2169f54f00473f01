// A scheme as a URL starts with it ("redis:", "rediss+cluster:", "sqlite:"), then any slashes.
const SCHEME = /^\s*[A-Za-z][A-Za-z0-9+.-]*:\/*/

/**
 * A storage URL (or any text a user gave for one) with whatever could be a
 * password hidden, for messages and logs: everything between the scheme and
 * the last "@" becomes `***`. It works on the raw text, before any parsing,
 * so a password is hidden whatever it holds (`/`, `?`, `#`, `@`, `:`,
 * spaces) and however mistyped the rest is (`reddis://`, `redis:/`, a
 * leading space). Text without an "@" has no credentials and is kept.
 *
 * @example
 * redactCredentials("reddis://admin:s3cr/t@cache:6379") // "reddis://***@cache:6379"
 */
export function redactCredentials(text: string): string {
  const at = text.lastIndexOf("@")
  if (at === -1) return text
  const scheme = SCHEME.exec(text)?.[0] ?? ""
  return `${scheme}***${text.slice(at)}`
}
