import { afterEach, describe, expect, it, vi } from "vitest"
import { createEmulator } from "../src/index.js"

// On the wall clock the emulator wakes itself up with setTimeout. Node (and vitest's fake
// timers, which copy it) turn a delay over 2^31 - 1 ms (24.8 days) into 1 ms: a send
// scheduled further ahead must still run on time, and nothing may spin meanwhile.
const DAY = 86_400_000
const start = Date.UTC(2026, 0, 5, 8) // 09:00 in Paris (winter time, UTC+1)

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

const hook = () => {
  const hits: Array<number> = []
  const fetch = (async () => {
    hits.push(Date.now())
    return new Response("ok")
  }) as typeof globalThis.fetch
  return { hits, fetch }
}

describe("wall-clock timers", () => {
  it.each([
    // Both due dates are in winter time too, so they are exactly `days` after the start.
    [30, "2026-02-04 09:00:00"],
    [400, "2027-02-09 09:00:00"],
  ])(
    "runs a send scheduled %i days ahead on time, without spinning",
    async (days, scheduledDate) => {
      vi.useFakeTimers({ now: start })
      const due = start + days * DAY
      const { hits, fetch } = hook()
      const e = createEmulator({ fetch, callbackDelayMs: 0 })
      try {
        const sent = await e.fetch(
          new Request("http://emulator/v1/campaign/send", {
            method: "POST",
            body: JSON.stringify({
              apiKey: "dev-key",
              phoneNumbers: "0612345678",
              tokenAudio: "dev-audio",
              emailForNotification: "ops@example.com",
              notifyUrl: "http://127.0.0.1:9/hook",
              scheduledDate,
            }),
          }),
        )
        expect(sent.status).toBe(200)
        const armed = vi.spyOn(globalThis, "setTimeout")
        // A minute of waiting: at most one wake-up, not one per millisecond.
        await vi.advanceTimersByTimeAsync(60_000)
        expect(armed.mock.calls.length).toBeLessThanOrEqual(1)
        expect(hits).toEqual([])
        // Up to a millisecond before it is due: still nothing, in bounded steps.
        await vi.advanceTimersByTimeAsync(due - 1 - Date.now())
        expect(hits).toEqual([])
        expect(armed.mock.calls.length).toBeLessThanOrEqual(Math.ceil((days * DAY) / 2 ** 31) + 1)
        expect(e.snapshot().tasks).toHaveLength(1)
        await vi.advanceTimersByTimeAsync(1)
        expect(hits).toEqual([due])
        expect(vi.getTimerCount()).toBe(0)
      } finally {
        e.close()
      }
    },
  )

  it("delivers callbacks with a delay over 24.8 days on time", async () => {
    vi.useFakeTimers({ now: start })
    const delay = 30 * DAY
    const { hits, fetch } = hook()
    const e = createEmulator({ fetch, callbackDelayMs: delay })
    try {
      await e.fetch(
        new Request("http://emulator/v1/tts/send", {
          method: "POST",
          body: JSON.stringify({
            apiKey: "dev-key",
            phoneNumbers: "0612345678",
            text: "Bonjour",
            notifyUrl: "http://127.0.0.1:9/hook",
          }),
        }),
      )
      const armed = vi.spyOn(globalThis, "setTimeout")
      await vi.advanceTimersByTimeAsync(60_000)
      expect(armed.mock.calls.length).toBeLessThanOrEqual(1)
      await vi.advanceTimersByTimeAsync(start + delay - 1 - Date.now())
      expect(hits).toEqual([])
      await vi.advanceTimersByTimeAsync(1)
      expect(hits).toEqual([start + delay])
    } finally {
      e.close()
    }
  })
})
