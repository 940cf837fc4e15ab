import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  formatParisWallClock,
  parisOffsetHours,
  parisWallClockToInstants,
} from "../../src/internal/schedule/parisTime.js"

const MINUTE = 60_000

describe("Europe/Paris from the EU rule", () => {
  it("switches to summer time at 01:00 UTC on 2026-03-29", () => {
    expect(parisOffsetHours(Date.UTC(2026, 2, 29, 0, 59, 59, 999))).toBe(1)
    expect(parisOffsetHours(Date.UTC(2026, 2, 29, 1))).toBe(2)
    expect(formatParisWallClock(Date.UTC(2026, 2, 29, 0, 59))).toBe("2026-03-29 01:59:00")
    expect(formatParisWallClock(Date.UTC(2026, 2, 29, 1))).toBe("2026-03-29 03:00:00")
  })

  it("switches back to winter time at 01:00 UTC on 2026-10-25", () => {
    expect(parisOffsetHours(Date.UTC(2026, 9, 25, 0, 59, 59, 999))).toBe(2)
    expect(parisOffsetHours(Date.UTC(2026, 9, 25, 1))).toBe(1)
    expect(formatParisWallClock(Date.UTC(2026, 9, 25, 0, 30))).toBe("2026-10-25 02:30:00")
    expect(formatParisWallClock(Date.UTC(2026, 9, 25, 1, 30))).toBe("2026-10-25 02:30:00")
  })

  it("finds the last Sunday in other years too", () => {
    expect(parisOffsetHours(Date.UTC(2027, 2, 28, 1))).toBe(2)
    expect(parisOffsetHours(Date.UTC(2027, 2, 27, 12))).toBe(1)
    expect(parisOffsetHours(Date.UTC(2030, 9, 27, 0, 59))).toBe(2)
    expect(parisOffsetHours(Date.UTC(2030, 9, 27, 1))).toBe(1)
  })

  it("reports the skipped spring hour and the repeated autumn hour", () => {
    expect(parisWallClockToInstants(2026, 3, 29, 2, 30)).toEqual({ kind: "skipped" })
    expect(parisWallClockToInstants(2026, 10, 25, 2, 30)).toEqual({
      kind: "ambiguous",
      earlier: Date.UTC(2026, 9, 25, 0, 30),
      later: Date.UTC(2026, 9, 25, 1, 30),
    })
    expect(parisWallClockToInstants(2026, 3, 29, 3, 0)).toEqual({
      kind: "unique",
      epochMs: Date.UTC(2026, 2, 29, 1),
    })
  })

  it("agrees with Intl's Europe/Paris data where the runtime has it", () => {
    const intl = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Europe/Paris",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    })
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) }), (ms) => {
        expect(formatParisWallClock(ms)).toBe(intl.format(new Date(ms)))
      }),
      { numRuns: 2_000 },
    )
  })

  it("round-trips: the wall clock of an instant denotes that instant", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) }), (n) => {
        const ms = Math.floor(n / MINUTE) * MINUTE
        const [date, time] = formatParisWallClock(ms).split(" ") as [string, string]
        const [y, mo, d] = date.split("-").map(Number) as [number, number, number]
        const [h, mi] = time.split(":").map(Number) as [number, number]
        const back = parisWallClockToInstants(y, mo, d, h, mi)
        if (back.kind === "unique") expect(back.epochMs).toBe(ms)
        else if (back.kind === "ambiguous") expect([back.earlier, back.later]).toContain(ms)
        else expect.unreachable("an instant's own wall clock cannot be skipped")
      }),
      { numRuns: 2_000 },
    )
  })
})
