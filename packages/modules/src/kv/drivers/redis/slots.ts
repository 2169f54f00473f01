/**
 * The Redis Cluster slot of a key, as the cluster computes it: CRC16
 * (XMODEM) of the key's hash tag (the text between the first "{" and the
 * next "}", when not empty) or of the whole key, modulo 16384. The driver
 * groups a getMany's keys by the master that serves their slot, so each
 * master gets its GETs in one pipeline.
 */
const SLOTS = 16384
const encoder = new TextEncoder()

const TABLE = new Uint16Array(256)
for (let byte = 0; byte < 256; byte++) {
  let crc = byte << 8
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1
  TABLE[byte] = crc & 0xffff
}

function crc16(bytes: Uint8Array): number {
  let crc = 0
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number)
  return crc
}

export function keySlot(redisKey: string): number {
  const start = redisKey.indexOf("{")
  const end = start === -1 ? -1 : redisKey.indexOf("}", start + 1)
  const hashed = end > start + 1 ? redisKey.slice(start + 1, end) : redisKey
  return crc16(encoder.encode(hashed)) % SLOTS
}
