// LAYERON_KV=postgres://...: what the driver reads from a URL, and a wrong
// URL as one line that never shows the password.
import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { isKVError, parseKVUrl } from "@layeron/modules"
import { describePostgres, parsePostgresUrl } from "../../../src/kv/drivers/postgres/url.ts"

describe("postgres URLs", () => {
  it("reads user, password, host, port, database and sslmode, with libpq's defaults", () => {
    assert.deepEqual(parsePostgresUrl("postgres://app:pw@db.internal:6432/sessions?sslmode=require"), {
      host: "db.internal",
      port: 6432,
      user: "app",
      password: "pw",
      database: "sessions",
      sslmode: "require",
      pool: undefined,
    })
    assert.deepEqual(parsePostgresUrl("postgresql://localhost"), {
      host: "localhost",
      port: 5432,
      user: undefined,
      password: undefined,
      database: undefined,
      sslmode: "disable",
      pool: undefined,
    })
    const pooled = parsePostgresUrl("postgres://h/db?pool=40&sslmode=verify-full")
    assert.deepEqual([pooled.pool, pooled.sslmode], [40, "verify-full"])
    assert.equal(parsePostgresUrl("POSTGRES://[::1]:5433/db").host, "::1")
    assert.equal(parsePostgresUrl("postgres://u@%2Fvar%2Frun%2Fpostgresql/db").host, "/var/run/postgresql")
    for (const mode of ["disable", "require", "verify-ca", "verify-full"]) {
      assert.equal(parsePostgresUrl(`postgres://h/db?sslmode=${mode}`).sslmode, mode)
    }
  })

  it("takes a password as generated: it ends at the last @ and may hold / ? # @ :", () => {
    const config = parsePostgresUrl("postgres://app:s3cr:t/p@ss#?@127.0.0.1:5432/app")
    assert.equal(config.password, "s3cr:t/p@ss#?")
    assert.equal(config.user, "app")
    assert.equal(config.host, "127.0.0.1")
    assert.equal(parsePostgresUrl("postgres://app:100%25%20sure@h/db").password, "100% sure")
  })

  it("is registered for LAYERON_KV under both schemes", () => {
    assert.deepEqual(parseKVUrl("postgres://h/db"), { kind: "postgres", url: "postgres://h/db" })
    assert.deepEqual(parseKVUrl("postgresql://h/db"), { kind: "postgres", url: "postgresql://h/db" })
  })

  it("refuses a malformed URL in one line naming the variable, never the password", () => {
    const bad = [
      "postgres:/h/db",
      "postgres://",
      "postgres://app:hunter2@/db",
      "postgres://app:hunter2@h:99999/db",
      "postgres://app:hunter2@h:port/db",
      "postgres://app:hunter2@h/db/more",
      "postgres://app:hunter2@h/db?sslmode=prefer",
      "postgres://app:hunter2@h/db?sslmode=allow",
      "postgres://app:hunter2@h/db?sslmode=maybe",
      "postgres://app:hunter2@h/db?application_name=x",
      "postgres://app:hunter2@h/db?pool=0",
      "postgres://app:hunter2@h/db?pool=10&pool=20",
      "postgres://app:hunter2@h/db?pool=-1",
      "postgres://app:hunter2@h/db?sslmode=require&",
      "postgres://app:hunter2%zz@h/db",
      "postgres://app:hunter2@h/d%00b",
    ]
    for (const url of bad) {
      assert.throws(
        () => parseKVUrl(url),
        (error) => {
          assert.ok(isKVError(error, "KV_CONFIG_INVALID"), `${url}: ${String(error)}`)
          assert.match(error.message, /^LAYERON_KV=/)
          assert.doesNotMatch(error.message, /hunter2|\n/, url)
          assert.match(error.message, /postgres:\/\/\[user\[:password\]@\]host/)
          return true
        },
        url,
      )
    }
  })

  it("says sslmode=prefer falls back to plain text, and what to choose", () => {
    assert.throws(() => parsePostgresUrl("postgres://h/db?sslmode=prefer"), /choose sslmode=require or sslmode=disable/)
  })

  it("describes the server for messages without the password", () => {
    const config = parsePostgresUrl("postgres://app:hunter2@db:5433/sessions")
    assert.equal(describePostgres(config), "PostgreSQL db:5433/sessions")
  })
})
