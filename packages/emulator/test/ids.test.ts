import { afterEach, describe, expect, it, vi } from "vitest"
import { createEmulator, type InProcessEmulator, ManualClock } from "../src/index.js"

// A gateway keeps campaign ids across restarts of the emulator: an id must never come back,
// whether from a second instance, a new process, a reset or a restored snapshot.
const send = async (e: InProcessEmulator, extra: Record<string, unknown> = {}) => {
  const answer = await e.fetch(
    new Request("http://emulator/v1/tts/send", {
      method: "POST",
      body: JSON.stringify({
        apiKey: "dev-key",
        phoneNumbers: "0612345678",
        text: "Bonjour",
        ...extra,
      }),
    }),
  )
  expect(answer.status).toBe(200)
  return ((await answer.json()) as { campaignId: string }).campaignId
}
const sendMany = async (e: InProcessEmulator, n: number) => {
  const ids: Array<string> = []
  for (let i = 0; i < n; i++) ids.push(await send(e))
  return ids
}

afterEach(() => {
  vi.useRealTimers()
  vi.resetModules()
})

describe("campaign ids", () => {
  it("keep the provider's shape, dated in Paris time by the emulator's clock", async () => {
    const e = createEmulator({ clock: new ManualClock(Date.UTC(2026, 0, 5, 23, 30)) })
    const id = await send(e)
    expect(id).toMatch(/^NDA_20260106_\d{10}$/) // 00:30 on the 6th in Paris
  })

  it("differ between two instances created one after the other", async () => {
    const first = createEmulator({ clock: new ManualClock() })
    const a = await sendMany(first, 3)
    first.close()
    const second = createEmulator({ clock: new ManualClock() })
    const b = await sendMany(second, 3)
    expect(new Set([...a, ...b]).size).toBe(6)
  })

  it("differ in a new process started later, even within the same millisecond's ids", async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 5, 8), toFake: ["Date"] })
    const a = await sendMany(createEmulator({ clock: new ManualClock() }), 50)
    // A new process: fresh module state, started (at least) a millisecond later.
    vi.resetModules()
    vi.setSystemTime(Date.now() + 1)
    const fresh = (await import("../src/index.js")) as typeof import("../src/index.js")
    const b = await sendMany(fresh.createEmulator({ clock: new fresh.ManualClock() }), 50)
    expect(new Set([...a, ...b]).size).toBe(100)
  })

  it("grow through a day with a clock change, from one process to the next", async () => {
    // 2026-10-25 has 25 hours in Paris: 02:30 comes twice (00:30 and 01:30 UTC).
    const instants = [
      Date.UTC(2026, 9, 24, 22), // 00:00 in Paris (summer time)
      Date.UTC(2026, 9, 25, 0, 30), // 02:30, first time
      Date.UTC(2026, 9, 25, 1, 30), // 02:30 again (winter time)
      Date.UTC(2026, 9, 25, 22, 59, 59, 999), // 23:59:59.999
    ]
    const numbers: Array<number> = []
    for (const at of instants) {
      vi.resetModules()
      vi.useFakeTimers({ now: at, toFake: ["Date"] })
      const fresh = (await import("../src/index.js")) as typeof import("../src/index.js")
      const id = await send(fresh.createEmulator())
      expect(id.slice(0, 13)).toBe("NDA_20261025_")
      numbers.push(Number(id.slice(13)))
    }
    expect(numbers).toEqual([0, 2.5 * 360_000_000, 3.5 * 360_000_000, 25 * 360_000_000 - 100])
  })

  it("are not handed out again after a reset or a restored snapshot", async () => {
    const e = createEmulator({ clock: new ManualClock() })
    const saved = e.snapshot()
    const a = await sendMany(e, 2)
    e.restore(saved)
    const b = await sendMany(e, 2)
    e.reset()
    const c = await sendMany(e, 2)
    expect(new Set([...a, ...b, ...c]).size).toBe(6)
  })

  it("survive a snapshot restored into another instance, which can still cancel them", async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 1, 8)) // 10:00 in Paris
    const first = createEmulator({ clock })
    const scheduled = await send(first, { scheduledDate: "2026-07-01 12:00:00" })
    const second = createEmulator({ clock })
    second.restore(first.snapshot())
    const later = await send(second)
    expect(later).not.toBe(scheduled)
    const cancel = await second.fetch(
      new Request(`http://emulator/v1/campaign/cancel/dev-key/${scheduled}`, { method: "DELETE" }),
    )
    expect(await cancel.json()).toMatchObject({ success: true, campaignId: scheduled })
  })
})
