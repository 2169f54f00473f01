// Counts turns of the event loop while something runs: a callback that queues
// itself again with setImmediate runs once per turn, however fast the machine.
// A timer would count milliseconds instead, and a fast machine can finish a
// sweep that yields many times within one.

/** Starts counting; the returned function stops and says how many turns there were. */
export function countEventLoopTurns(): () => number {
  let turns = 0
  let counting = true
  const tick = () => {
    if (!counting) return
    turns++
    setImmediate(tick)
  }
  setImmediate(tick)
  return () => {
    counting = false
    return turns
  }
}
