// SHA-256 (FIPS 180-4) in plain synchronous code. Node.js 20's
// crypto.subtle.digest costs about 30 µs of CPU a call (measured: a quarter
// of a whole verify), more than the storage read it sits beside; this costs a
// few µs, runs the same on Workers, and is checked against crypto.subtle.digest
// on thousands of inputs by the tests.

// The first 32 bits of the fractional parts of the square roots of the first 8
// primes (H0) and of the cube roots of the first 64 primes (K), computed rather
// than typed: a mistyped constant cannot hide.
function primes(count: number): number[] {
  const found: number[] = []
  for (let candidate = 2; found.length < count; candidate++) {
    if (found.every((prime) => candidate % prime !== 0)) found.push(candidate)
  }
  return found
}
const fraction = (value: number) => Math.floor((value - Math.floor(value)) * 2 ** 32) >>> 0
const H0 = Uint32Array.from(primes(8), (prime) => fraction(Math.sqrt(prime)))
const K = Uint32Array.from(primes(64), (prime) => fraction(Math.cbrt(prime)))

const schedule = new Uint32Array(64)
// Most inputs here (a 43-character secret) fit one padded block: it is reused rather than allocated.
const oneBlock = new Uint8Array(64)

const rotr = (word: number, bits: number) => (word >>> bits) | (word << (32 - bits))

export function sha256(data: Uint8Array): Uint8Array {
  const length = data.length
  const blocks = Math.ceil((length + 9) / 64)
  const padded = blocks === 1 ? oneBlock.fill(0) : new Uint8Array(blocks * 64)
  padded.set(data)
  padded[length] = 0x80
  const bits = length * 8
  const end = padded.length
  const high = Math.floor(bits / 2 ** 32)
  const low = bits >>> 0
  padded[end - 8] = high >>> 24
  padded[end - 7] = high >>> 16
  padded[end - 6] = high >>> 8
  padded[end - 5] = high
  padded[end - 4] = low >>> 24
  padded[end - 3] = low >>> 16
  padded[end - 2] = low >>> 8
  padded[end - 1] = low
  const hash = H0.slice()
  const w = schedule
  for (let offset = 0; offset < end; offset += 64) {
    for (let t = 0; t < 16; t++) {
      const at = offset + t * 4
      w[t] =
        ((padded[at] as number) << 24) |
        ((padded[at + 1] as number) << 16) |
        ((padded[at + 2] as number) << 8) |
        (padded[at + 3] as number)
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15] as number
      const b = w[t - 2] as number
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10)
      w[t] = ((w[t - 16] as number) + s0 + (w[t - 7] as number) + s1) | 0
    }
    let a = hash[0] as number
    let b = hash[1] as number
    let c = hash[2] as number
    let d = hash[3] as number
    let e = hash[4] as number
    let f = hash[5] as number
    let g = hash[6] as number
    let h = hash[7] as number
    for (let t = 0; t < 64; t++) {
      const t1 =
        (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + (K[t] as number) + (w[t] as number)) | 0
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    hash[0] = ((hash[0] as number) + a) | 0
    hash[1] = ((hash[1] as number) + b) | 0
    hash[2] = ((hash[2] as number) + c) | 0
    hash[3] = ((hash[3] as number) + d) | 0
    hash[4] = ((hash[4] as number) + e) | 0
    hash[5] = ((hash[5] as number) + f) | 0
    hash[6] = ((hash[6] as number) + g) | 0
    hash[7] = ((hash[7] as number) + h) | 0
  }
  const digest = new Uint8Array(32)
  for (let index = 0; index < 8; index++) {
    const word = hash[index] as number
    digest[index * 4] = word >>> 24
    digest[index * 4 + 1] = word >>> 16
    digest[index * 4 + 2] = word >>> 8
    digest[index * 4 + 3] = word
  }
  return digest
}
