import { makeApp } from "./app.js"
import { ManualClock } from "./clock.js"
import { Emulator } from "./Emulator.js"
import { DROP_HEADER } from "./faults.js"
import type { EmulatorOptions } from "./options.js"
import type { CallbackRecord, EmulatorState, RequestRecord } from "./state.js"

export { type EmulatorClock, ManualClock, systemClock } from "./clock.js"
export { DROP_HEADER, type Faults } from "./faults.js"
export type { EmulatorOptions } from "./options.js"
export { documentedLimits } from "./rateLimit.js"
export type { CallbackRecord, CampaignRecord, EmulatorState, RequestRecord } from "./state.js"

/** An emulator running in this process. */
export interface InProcessEmulator {
  /**
   * The provider's HTTP surface, with `fetch` semantics: an injected dropped connection
   * rejects with a `TypeError`, as `fetch` does. Pass it as a client's `fetch`.
   */
  readonly fetch: (request: Request) => Promise<Response>
  /** The raw handler: a dropped connection is a response marked with {@link DROP_HEADER}. */
  readonly handle: (request: Request) => Promise<Response>
  /** Replaces the injected faults (`{}` clears them). */
  setFaults(faults: import("./faults.js").Faults): void
  /** Sets the credit left, in EUR, of one key or of every key (a reset restores the start). */
  setCredit(credit: number, apiKey?: string): void
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
    fetch: async (request) => {
      const response = await app.fetch(request)
      const drop = response.headers.get(DROP_HEADER)
      if (drop !== null)
        throw new TypeError(`fetch failed: connection dropped (${drop} the request was processed)`)
      return response
    },
    handle: async (request) => app.fetch(request),
    setFaults: (faults) => emulator.setFaults(faults),
    setCredit: (credit, apiKey) => {
      if (!Number.isFinite(credit) || credit < 0) throw new RangeError(`Invalid credit: ${credit}`)
      if (emulator.setCredit(credit, apiKey) === 0 && apiKey !== undefined)
        throw new RangeError("Unknown API key")
    },
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
