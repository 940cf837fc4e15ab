import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseScheduledDate } from "../../src/schedule/scheduledDate.js"

const NOW = Date.UTC(2026, 0, 15, 12) // 2026-01-15 13:00 Paris
const MINUTE = 60_000

const upstream = (input: Date | string, now = NOW): string => {
  const r = parseScheduledDate(input, now)
  if (!r.ok) throw new Error(r.reason)
  return r.value.upstream
}

const reason = (input: Date | string, now = NOW): string => {
  const r = parseScheduledDate(input, now)
  if (r.ok) throw new Error(`accepted ${String(input)}`)
  return r.reason
}

describe("parseScheduledDate", () => {
  it("reads every accepted form and renders Paris wall clock with :00 seconds", () => {
    expect(upstream("2026-04-10 14:15")).toBe("2026-04-10 14:15:00")
    expect(upstream("2026-04-10 14:15:00")).toBe("2026-04-10 14:15:00")
    expect(upstream("2026-04-10T14:15:00")).toBe("2026-04-10 14:15:00")
    expect(upstream("2026-04-10T12:15:00Z")).toBe("2026-04-10 14:15:00")
    expect(upstream("2026-04-10T14:15:00+02:00")).toBe("2026-04-10 14:15:00")
    expect(upstream("2026-04-10T08:15-0400")).toBe("2026-04-10 14:15:00")
    expect(upstream("2026-02-10T14:15")).toBe("2026-02-10 14:15:00")
    expect(upstream(new Date(Date.UTC(2026, 6, 14, 8)))).toBe("2026-07-14 10:00:00")
  })

  it("rounds seconds up to the next minute, never earlier than asked", () => {
    expect(upstream("2026-04-10 14:15:01")).toBe("2026-04-10 14:16:00")
    expect(upstream("2026-04-10T14:15:59.5")).toBe("2026-04-10 14:16:00")
    expect(upstream(new Date(Date.UTC(2026, 5, 1, 10, 0, 0, 1)))).toBe("2026-06-01 12:01:00")
    expect(upstream("2026-12-31 23:59:30")).toBe("2027-01-01 00:00:00")
  })

  it("must be strictly in the future relative to the injected now", () => {
    expect(reason(new Date(NOW))).toContain("in the past")
    expect(reason("2026-01-15 13:00")).toContain("in the past")
    expect(upstream("2026-01-15 13:01")).toBe("2026-01-15 13:01:00")
    // 12:00:30 UTC rounds up to 12:01, after now.
    expect(upstream(new Date(NOW + 30_000))).toBe("2026-01-15 13:01:00")
    expect(reason("2020-01-01 10:00")).toContain("in the past")
  })

  it("refuses the non-existent spring hour (2026-03-29 02:xx)", () => {
    expect(reason("2026-03-29 02:30")).toContain("does not exist in Europe/Paris")
    expect(upstream("2026-03-29 01:59")).toBe("2026-03-29 01:59:00")
    expect(upstream("2026-03-29 03:00")).toBe("2026-03-29 03:00:00")
    // With an explicit offset there is no ambiguity: 01:30 UTC is 03:30 CEST.
    expect(upstream("2026-03-29T01:30:00Z")).toBe("2026-03-29 03:30:00")
  })

  it("takes the first occurrence of the repeated autumn hour (2026-10-25 02:xx)", () => {
    const r = parseScheduledDate("2026-10-25 02:30", NOW)
    expect(r).toEqual({
      ok: true,
      value: { epochMs: Date.UTC(2026, 9, 25, 0, 30), upstream: "2026-10-25 02:30:00" },
    })
    expect(upstream("2026-10-25T01:30:00Z")).toBe("2026-10-25 02:30:00")
  })

  it("names what is wrong with malformed input", () => {
    expect(reason("tomorrow")).toContain("is not a date-time")
    expect(reason("2026-02-30 10:00")).toContain("not a calendar date")
    expect(reason("2026-04-10 24:00")).toContain("not a time of day")
    expect(reason(new Date(Number.NaN))).toContain("invalid Date")
  })

  it("round-trips: its output, read back, is the same instant and rendering", () => {
    fc.assert(
      fc.property(fc.integer({ min: NOW + MINUTE, max: Date.UTC(2090, 0, 1) }), (ms) => {
        const first = parseScheduledDate(new Date(ms), NOW)
        expect(first.ok).toBe(true)
        if (!first.ok) return
        expect(first.value.epochMs).toBeGreaterThanOrEqual(ms)
        expect(first.value.epochMs - ms).toBeLessThan(MINUTE)
        expect(first.value.upstream).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:00$/)
        const again = parseScheduledDate(first.value.upstream, NOW)
        if (!again.ok) return expect.unreachable(again.reason)
        expect(again.value.upstream).toBe(first.value.upstream)
        // The repeated autumn hour reads back as its first occurrence, up to 1 h earlier.
        const diff = first.value.epochMs - again.value.epochMs
        expect(diff === 0 || diff === 3_600_000).toBe(true)
      }),
      { numRuns: 2_000 },
    )
  })
})
