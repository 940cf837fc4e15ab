/** Where the emulator reads the time. Inject a {@link ManualClock} to simulate days in milliseconds. */
export interface EmulatorClock {
  now(): number
}

/** The wall clock. */
export const systemClock: EmulatorClock = { now: () => Date.now() }

/**
 * A clock that moves only when told. Pass it to `createEmulator`, then call
 * `emulator.advance(ms)`, which also runs the callbacks and scheduled sends that fall due.
 *
 * @example
 * ```ts
 * import { createEmulator, ManualClock } from "@voicepartner/emulator"
 *
 * const clock = new ManualClock(Date.UTC(2026, 0, 5, 9))
 * const emulator = createEmulator({ clock })
 * await emulator.advance(60_000)
 * ```
 */
export class ManualClock implements EmulatorClock {
  constructor(private current = Date.UTC(2026, 0, 5, 9)) {}
  now(): number {
    return this.current
  }
  set(epochMs: number): void {
    this.current = Math.max(this.current, epochMs)
  }
}
