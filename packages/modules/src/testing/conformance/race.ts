// One process's share of a race of the "races:" rules, run alike by the test
// process and by race-process.ts: the same calls on the same keys at once.
import { isKVError } from "../../kv/errors.js"
import type { KVStore } from "../../kv/store.js"

export interface RaceRequest {
  /** The storage URL of the backend, and the store on it. */
  readonly url: string
  readonly namespace: string
  readonly name: string
  readonly kind: "increment" | "add" | "getAndDelete" | "update"
  /** How many calls, or keys, each process makes. */
  readonly count: number
  /** Tells the processes' writes apart. */
  readonly who: string
}

export interface RaceOutcome {
  /** increment: the counts returned; add, getAndDelete: the keys won; update: the ids written. */
  readonly results: (number | string)[]
  /** update: how many gave up with KV_CONFLICT. */
  readonly conflicts: number
}

/** How many updates of one process run at a time: with the other process's, 10 writers contend for one key. */
const UPDATE_WORKERS = 5

export const raceKey = (index: number) => `key-${index}`

export async function runRace(store: KVStore, request: RaceRequest): Promise<RaceOutcome> {
  const { count, who } = request
  const each = <T>(run: (index: number) => Promise<T>) => Promise.all(Array.from({ length: count }, (_, i) => run(i)))
  switch (request.kind) {
    case "increment":
      return { results: await each(() => store.increment("counter")), conflicts: 0 }
    case "add": {
      const won = await each(async (index) => ((await store.add(raceKey(index), who)) ? raceKey(index) : null))
      return { results: won.filter((key) => key !== null), conflicts: 0 }
    }
    case "getAndDelete": {
      const taken = await each(async (index) => ((await store.getAndDelete(raceKey(index))) ? raceKey(index) : null))
      return { results: taken.filter((key) => key !== null), conflicts: 0 }
    }
    case "update": {
      const written: string[] = []
      let conflicts = 0
      let next = 0
      const worker = async () => {
        while (next < count) {
          const id = `${who}-${next++}`
          try {
            await store.update("doc", async (current) => {
              const ids = current === null ? [] : ((await current.json()) as string[])
              return JSON.stringify([...ids, id])
            })
            written.push(id)
          } catch (error) {
            if (!isKVError(error, "KV_CONFLICT")) throw error
            conflicts++
          }
        }
      }
      await Promise.all(Array.from({ length: UPDATE_WORKERS }, worker))
      return { results: written, conflicts }
    }
  }
}
