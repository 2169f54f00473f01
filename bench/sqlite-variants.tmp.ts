import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
const dir = mkdtempSync(join(tmpdir(), "var-"))
const TOKEN = Buffer.from(JSON.stringify({ userId: "usr_100", purpose: "email-verification" }))
function open(name: string, mmap: boolean, timeout?: number) {
  const db = new Database(join(dir, name), timeout === undefined ? {} : { timeout })
  db.pragma("journal_mode = WAL"); db.pragma("synchronous = NORMAL")
  if (mmap) db.pragma("mmap_size = 268435456")
  db.exec(`CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL,
    content_type TEXT NOT NULL, metadata TEXT, expires_at INTEGER, version TEXT) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS kv_expires_at ON kv (expires_at) WHERE expires_at IS NOT NULL`)
  return db
}
function rawAdd(db: Database.Database) {
  const s = db.prepare(`INSERT INTO kv VALUES (?, ?, 'application/json', NULL, ?, NULL)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
    WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= ?`)
  return (key: string) => { const now = Date.now(); return s.run(key, TOKEN, now + 60000, now).changes > 0 }
}
function storeAdd(db: Database.Database) {
  const s = db.prepare(`INSERT INTO kv (key, value, content_type, metadata, expires_at, version) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, content_type = excluded.content_type,
         metadata = excluded.metadata, expires_at = excluded.expires_at, version = excluded.version
       WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= ?`)
  let n = 0
  return (key: string) => { const now = Date.now(); return s.run(key, new Uint8Array(TOKEN), "application/json", null, now + 60000, `0123456789abcdef.${(n++).toString(36)}`, now).changes > 0 }
}
const variants: [string, (k: string) => unknown][] = [
  ["raw", rawAdd(open("a.db", false))],
  ["raw+mmap", rawAdd(open("b.db", true))],
  ["raw+mmap+timeout", rawAdd(open("b2.db", true, 5000))],
  ["storeStmt", storeAdd(open("c.db", false))],
  ["storeStmt+mmap", storeAdd(open("d.db", true))],
]
const res: Record<string, number[]> = {}
for (let round = 0; round < 7; round++) {
  for (let v = 0; v < variants.length; v++) {
    const [name, fn] = variants[(v + round) % variants.length]!
    const N = 3000
    const t0 = performance.now()
    for (let i = 0; i < N; i++) fn(`bench/rate/token:${round}:${i}`)
    ;(res[name] ??= []).push(((performance.now() - t0) * 1000) / N)
  }
}
for (const [name, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(name, v[3]!.toFixed(1), "µs/op", v.map((x) => x.toFixed(0)).join(" ")) }
