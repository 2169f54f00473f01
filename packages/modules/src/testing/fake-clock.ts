import { type Clock, setDefaultClock } from "../kv/clock.js"

/** A clock that only moves when told to: expiry tests run in milliseconds, never by sleeping. */
export class FakeClock implements Clock {
  private current: number

  constructor(start: Date | number = Date.UTC(2030, 0, 1)) {
    this.current = start instanceof Date ? start.getTime() : start
  }

  now(): number {
    return this.current
  }

  advance(milliseconds: number): void {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) throw new RangeError("A clock only moves forward")
    this.current += milliseconds
  }

  advanceSeconds(seconds: number): void {
    this.advance(seconds * 1000)
  }

  set(at: Date | number): void {
    this.current = at instanceof Date ? at.getTime() : at
  }
}

/**
 * Installs a fake clock as the clock of every store created without one
 * (including stores an app file declared). Call `restore()` when done.
 */
export function useFakeClock(start?: Date | number): FakeClock & { restore(): void } {
  const clock = new FakeClock(start ?? Date.now()) as FakeClock & { restore(): void }
  clock.restore = setDefaultClock(clock)
  return clock
}
