import { makeApp } from "./app.js"
import { ManualClock } from "./clock.js"
import { Emulator } from "./Emulator.js"
import type { EmulatorOptions } from "./options.js"
import type { CallbackRecord, EmulatorState, RequestRecord } from "./state.js"

export { type EmulatorClock, ManualClock, systemClock } from "./clock.js"
export type { EmulatorOptions } from "./options.js"
export { documentedLimits } from "./rateLimit.js"
export type { CallbackRecord, CampaignRecord, EmulatorState, RequestRecord } from "./state.js"

/** An emulator running in this process. */
export interface InProcessEmulator {
  /** The provider's HTTP surface: pass it as `fetch` to a client, or serve it. */
  readonly fetch: (request: Request) => Promise<Response>
  /** Moves a {@link ManualClock} forward and runs what falls due (sends, callbacks). */
  advance(ms: number): Promise<void>
  /** Runs what is due at the current time. */
  runDue(): Promise<void>
  requests(): ReadonlyArray<RequestRecord>
  callbacks(): ReadonlyArray<CallbackRecord>
  snapshot(): EmulatorState
  restore(state: EmulatorState): void
  reset(): void
  close(): void
  readonly emulator: Emulator
}

/**
 * Creates a local Voice Partner in this process.
 *
 * @example
 * ```ts
 * import { createEmulator, ManualClock } from "@voicepartner/emulator"
 *
 * const clock = new ManualClock()
 * const voicePartner = createEmulator({ clock, callbackDelayMs: 1_000 })
 * const answer = await voicePartner.fetch(new Request("http://emulator/v1/me/dev-key"))
 * await voicePartner.advance(60_000) // a minute later, callbacks delivered
 * ```
 */
export const createEmulator = (options: EmulatorOptions = {}): InProcessEmulator => {
  const emulator = new Emulator(options)
  const app = makeApp(emulator)
  return {
    fetch: async (request) => app.fetch(request),
    advance: async (ms) => {
      if (!(emulator.clock instanceof ManualClock)) throw new Error("advance() needs a ManualClock")
      // Step through due tasks in order so that each runs at its own instant.
      const target = emulator.clock.now() + ms
      for (;;) {
        const next = emulator.state.tasks[0]
        if (next === undefined || next.at > target) break
        emulator.clock.set(next.at)
        await emulator.runDue()
      }
      emulator.clock.set(target)
      await emulator.runDue()
    },
    runDue: () => emulator.runDue(),
    requests: () => emulator.state.requests,
    callbacks: () => emulator.state.callbacks,
    snapshot: () => structuredClone(emulator.state),
    restore: (state) => emulator.restore(state),
    reset: () => emulator.reset(),
    close: () => emulator.close(),
    emulator,
  }
}
