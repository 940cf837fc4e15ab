// The pieces of a broadcast that need no Durable Object: its own pacing (the margin that
// keeps the provider's view of a window behind the quota's), the retry's estimate from
// number prefixes, and the cost estimate from core's price table.
import { describe, expect, it } from "vitest"
import { pacedAt } from "../src/broadcast/chunkSender.js"
import { costEstimate, countriesOfPrefixes } from "../src/broadcast/costEstimate.js"
import { broadcastWindows, estimatedEnd, QUOTA_MARGIN_MS } from "../src/broadcast/estimate.js"
import { planRecipients } from "../src/broadcast/recipientPlan.js"

const answers = (...at: ReadonlyArray<number>) => ({ answeredSince: () => at })

describe("a broadcast's own pacing", () => {
  const fivePerSecond = [{ limit: 5, windowMs: 1_000 }]

  it("counts a window from each request's answer, not its departure: the provider may have had it late", () => {
    // Five requests left at 0–40 ms; the provider (stalled) answered the first at 300 ms, so
    // it may have counted it as late as that: the sixth must not reach it before 1,300 ms.
    const store = {
      answeredSince: () => [300, 310, 320, 330, 340],
      departuresSince: () => [0, 10, 20, 30, 40],
    }
    expect(pacedAt(store, fivePerSecond, 350)).toBe(1_300 + QUOTA_MARGIN_MS)
  })

  it("leaves a full window's first request QUOTA_MARGIN_MS more than the window behind", () => {
    expect(pacedAt(answers(0, 10, 20, 30, 40), fivePerSecond, 50)).toBe(1_000 + QUOTA_MARGIN_MS)
    // Not full: now.
    expect(pacedAt(answers(0, 10, 20, 30), fivePerSecond, 50)).toBe(50)
    // Past the window and its margin: now.
    expect(pacedAt(answers(0, 10, 20, 30, 40), fivePerSecond, 1_030)).toBe(1_030)
    // Every window counts: 2 an hour.
    expect(pacedAt(answers(0, 40), [...fivePerSecond, { limit: 2, windowMs: 3_600_000 }], 50)).toBe(
      3_600_000 + QUOTA_MARGIN_MS,
    )
    // No policy to pace by (it does not parse: the quota refuses and says why).
    expect(pacedAt(answers(0, 10, 20, 30, 40), [], 50)).toBe(50)
  })

  it("the windows are the policy's less the reserve; the estimate paces the same way", () => {
    const vars = {
      RATE_LIMIT_POLICY: JSON.stringify({ "campaign/send": [{ limit: 5, windowMs: 1_000 }] }),
      BROADCAST_RESERVE: JSON.stringify({ "campaign/send": [1] }),
    }
    expect(broadcastWindows(vars, "campaign/send")).toEqual([{ limit: 4, windowMs: 1_000 }])
    // 9 requests at 4 a second (+ the margin): 4 now, 4 a window (+ margin) later, the 9th two windows later.
    expect(estimatedEnd(vars, "campaign/send", 9, 0)).toBe(2 * (1_000 + QUOTA_MARGIN_MS))
    expect(broadcastWindows({ RATE_LIMIT_POLICY: "{" }, "campaign/send")).toEqual([])
  })
})

describe("the estimated cost", () => {
  it("per message for a voicemail drop, per started 30 s of text for a voice SMS", () => {
    const { byCountry } = planRecipients([
      "0612345678",
      "0112345678",
      "+32470123456",
      "+12025550123",
    ])
    expect(byCountry).toEqual({ "33": 2, "32": 1, "1": 1 })
    expect(costEstimate("voicemail", { tokenAudio: "a" }, byCountry)).toEqual({
      amount: 0.44, // 2 × 0.06 + 0.12 + 0.20 (default)
      currency: "EUR",
      estimate: true,
      secondsPerMessage: null,
    })
    const long = "mot ".repeat(100) // 40 s at rate 1: two 30 s units
    expect(costEstimate("tts", { text: long, speechRate: 1 }, { "33": 10 })).toMatchObject({
      amount: 1.8,
      secondsPerMessage: 40,
    })
    // Faster speech, fewer seconds: one unit.
    expect(costEstimate("tts", { text: long, speechRate: 2 }, { "33": 10 }).amount).toBe(0.9)
    // An audio file's length is unknown offline: one 30 s unit.
    expect(costEstimate("tts", { tokenAudio: "a" }, { "33": 10 })).toMatchObject({
      amount: 0.9,
      secondsPerMessage: null,
    })
  })

  it("a retry's countries from the first three digits of its numbers (calling codes are prefix-free)", () => {
    expect(countriesOfPrefixes({ "336": 10, "331": 1, "324": 2, "412": 1, "120": 3 })).toEqual({
      "33": 11,
      "32": 2,
      "41": 1,
      default: 3,
    })
  })
})

describe("the recipient plan", () => {
  it("keeps each entry's row; empty entries are counted apart from invalid ones", () => {
    const { counts, rows } = planRecipients(["", "06 12 34 56 78", "12", "+33612345678", " "])
    expect(counts).toMatchObject({ total: 5, valid: 1, empty: 2, duplicates: 1, invalidCount: 1 })
    expect(counts.invalid).toEqual([{ row: 3, input: "12", reason: expect.any(String) }])
    expect(Array.from(rows.rows)).toEqual([2])
  })
})
