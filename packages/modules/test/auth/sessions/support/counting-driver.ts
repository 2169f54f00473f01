// A real memory driver whose calls are counted: how the tests see that a
// verify is one read and a renewal one write.
import { MemoryDriver } from "../../../../src/kv/drivers/memory/driver.ts"

export class CountingDriver extends MemoryDriver {
  readonly calls = { get: 0, put: 0, putIf: 0, delete: 0, deleteIf: 0, list: 0, getMany: 0, getAndDelete: 0 }

  reset(): void {
    for (const name of Object.keys(this.calls) as (keyof typeof this.calls)[]) this.calls[name] = 0
  }

  /** Every entry's key and value as text: what a copy of the database would show. */
  dump(): string[] {
    const page = this.list({ prefix: "", limit: 100_000, cursor: null, now: 0 })
    return page.entries.flatMap((entry) => {
      const stored = super.get(entry.key)
      return [entry.key, stored === null ? "" : new TextDecoder().decode(stored.value), entry.metadata ?? ""]
    })
  }

  override get(key: string) {
    this.calls.get++
    return super.get(key)
  }
  override getMany(keys: readonly string[]) {
    this.calls.getMany++
    return super.getMany(keys)
  }
  override put(...args: Parameters<MemoryDriver["put"]>) {
    this.calls.put++
    return super.put(...args)
  }
  override putIf(...args: Parameters<MemoryDriver["putIf"]>) {
    this.calls.putIf++
    return super.putIf(...args)
  }
  override delete(key: string) {
    this.calls.delete++
    return super.delete(key)
  }
  override deleteIf(...args: Parameters<MemoryDriver["deleteIf"]>) {
    this.calls.deleteIf++
    return super.deleteIf(...args)
  }
  override getAndDelete(key: string) {
    this.calls.getAndDelete++
    return super.getAndDelete(key)
  }
  override list(...args: Parameters<MemoryDriver["list"]>) {
    this.calls.list++
    return super.list(...args)
  }
}
