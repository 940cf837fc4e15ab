import {
  defaultPrices,
  speechSeconds as emulatorSpeechSeconds,
} from "@voicepartner/emulator/pricing"
import * as Result from "effect/Result"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { planRequests } from "../../src/plan/admissions.js"
import { type BulkPlan, planBulk } from "../../src/plan/BulkPlan.js"
import { PRICES, speechSeconds } from "../../src/plan/prices.js"
import { collectRecipients } from "../../src/plan/RecipientCollector.js"
import { defaultPolicy, type RateLimitWindow } from "../../src/ratelimit/RateLimitPolicy.js"
import { earliestAdmission, planAdmissions, windowStates } from "../../src/ratelimit/slidingLog.js"

const NOW = Date.UTC(2026, 5, 1, 8, 0, 0)
const mobiles = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `+336${String(from + i).padStart(8, "0")}`)
const drop = { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" }

const plan = (
  send: Parameters<typeof planBulk>[0],
  inputs: ReadonlyArray<string>,
  options: Partial<Parameters<typeof planBulk>[2]> = {},
): BulkPlan => {
  const result = planBulk(send, collectRecipients(inputs), { now: NOW, ...options })
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

describe("planBulk", () => {
  it("100,000 voicemail drops: 200 requests in 39 minutes, 6,000 EUR", () => {
    const p = plan({ endpoint: "campaign/send", message: drop }, mobiles(100_000))
    expect(p.requests).toBe(200)
    expect(p.admissions).toHaveLength(200)
    expect(p.estimatedMs).toBe(2_340_000)
    expect(p.endsAt).toBe(NOW + 2_340_000)
    expect(p.cost).toEqual({ amount: 6000, currency: "EUR", basis: {} })
    expect(p.chunk(0)).toHaveLength(500)
    expect(p.chunk(199).at(-1)).toBe("+33600099999")
  })

  it("the message is validated once; every chunk is that request with its numbers", () => {
    const p = plan(
      { endpoint: "tts/send", message: { text: "Bonjour", speechRate: 3, lang: "FR" } },
      mobiles(1_200),
      { chunkSize: 400 },
    )
    if (p.endpoint !== "tts/send") throw new Error("a voice SMS plan")
    expect(p.requests).toBe(3)
    const third = p.requestFor(2)
    expect(third.phoneNumbers).toEqual(p.chunk(2))
    expect(third.phoneNumbers[0]).toBe("+33600000800")
    expect({ ...third, phoneNumbers: [] }).toEqual({ ...p.request, phoneNumbers: [] })
    expect(third.lang).toBe("fr")
    expect(third.speechRate).toBe(2) // clamped once, with a warning
    expect(p.warnings.map((w) => w.field)).toEqual(["speechRate"])
  })

  it("refuses a bad message with every issue named, before anything", () => {
    const r = planBulk(
      {
        endpoint: "tts/send",
        message: { text: "Hi", scheduledDate: "2020-01-01 10:00", notifyUrl: "ftp://x" },
      },
      collectRecipients(["0612345678"]),
      { now: NOW },
    )
    expect(Result.isFailure(r) && r.failure.issues.map((i) => i.field).sort()).toEqual([
      "notifyUrl",
      "scheduledDate",
    ])
  })

  it("nothing valid: the message's issues first, then phoneNumbers with the accounting", () => {
    const none = planBulk(
      { endpoint: "tts/send", message: { text: "Hi" } },
      collectRecipients(["12", "", "nope"]),
      { now: NOW },
    )
    expect(Result.isFailure(none) && none.failure.reason).toBe("InvalidRecipients")
    expect(Result.isFailure(none) && none.failure.message).toBe(
      "phoneNumbers: has no valid phone number (3 read: 2 invalid, 1 empty)",
    )
    const both = planBulk({ endpoint: "tts/send", message: {} }, collectRecipients(["12"]), {
      now: NOW,
    })
    expect(Result.isFailure(both) && both.failure.issues.map((i) => i.field)).toEqual([
      "text",
      "phoneNumbers",
    ])
  })

  it("warns about landlines anywhere in the list, not only in the first chunk", () => {
    const p = plan({ endpoint: "campaign/send", message: drop }, [...mobiles(600), "0112345678"])
    expect(p.recipients.kinds).toEqual({ mobile: 600, landline: 1, other: 0 })
    expect(p.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining("1 landline will ring"),
    ])
  })

  it("voice SMS cost follows the text's length (per started 30 s) and the country", () => {
    const short = plan({ endpoint: "tts/send", message: { text: "Bonjour" } }, [
      ...mobiles(10),
      "+32470123456",
    ])
    expect(short.cost.amount).toBe(1.05) // 10 × 0.09 + 1 × 0.15
    const long = plan({ endpoint: "tts/send", message: { text: "mot ".repeat(100) } }, mobiles(10))
    expect(long.cost).toEqual({ amount: 1.8, currency: "EUR", basis: { seconds: 40 } })
    const audio = plan({ endpoint: "tts/send", message: { tokenAudio: "dev-audio" } }, mobiles(10))
    expect(audio.cost).toEqual({ amount: 0.9, currency: "EUR", basis: {} })
  })

  it("leaves a reserve of each window: 1 of 5/min and 100 of 2000/h", () => {
    const reserve = [
      { windowMs: 60_000, keep: 1 },
      { windowMs: 3_600_000, keep: 100 },
    ]
    const p = plan({ endpoint: "campaign/send", message: drop }, mobiles(4_000), { reserve })
    expect(p.windows).toEqual([
      { limit: 4, windowMs: 60_000 },
      { limit: 1900, windowMs: 3_600_000 },
    ])
    // 8 requests at 4 a minute: the last one a minute in.
    expect(p.admissions.map((t) => t - NOW)).toEqual([0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000])
  })

  it("starts from a quota snapshot: a minute window used up delays the first request", () => {
    const windows = defaultPolicy["campaign/send"]
    const log = [NOW - 50_000, NOW - 40_000, NOW - 30_000, NOW - 20_000, NOW - 10_000]
    const snapshot = {
      endpoint: "campaign/send" as const,
      windows: windowStates(log, windows, NOW),
      blockedUntil: 0,
    }
    const p = plan({ endpoint: "campaign/send", message: drop }, mobiles(1_000), {
      quota: snapshot,
    })
    expect(p.admissions[0]).toBe(NOW + 10_000) // the oldest leaves the window
    const fromLog = plan({ endpoint: "campaign/send", message: drop }, mobiles(1_000), {
      quota: { admissions: log },
    })
    expect(fromLog.admissions[0]).toBe(NOW + 10_000)
    const blocked = plan({ endpoint: "campaign/send", message: drop }, mobiles(10), {
      quota: { ...snapshot, windows: [], blockedUntil: NOW + 90_000 },
    })
    expect(blocked.admissions[0]).toBe(NOW + 90_000)
  })

  it("a plan from a snapshot never admits earlier than the real log would (property)", () => {
    const windowsArb = fc.constantFrom<ReadonlyArray<RateLimitWindow>>(
      [{ limit: 5, windowMs: 60 }],
      [
        { limit: 3, windowMs: 10 },
        { limit: 8, windowMs: 60 },
      ],
      [
        { limit: 2, windowMs: 5 },
        { limit: 4, windowMs: 20 },
        { limit: 9, windowMs: 100 },
      ],
    )
    fc.assert(
      fc.property(
        windowsArb,
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 15 }),
        (windows, arrivals, count) => {
          // A real log: requests arriving at these instants, admitted by the algorithm.
          const sorted: Array<number> = []
          for (const t of [...arrivals].sort((a, b) => a - b))
            sorted.push(earliestAdmission(sorted, windows, t))
          const now = (sorted.at(-1) ?? 0) + 1
          const real = planAdmissions(sorted, windows, now, count)
          const snapshot = {
            endpoint: "tts/send" as const,
            windows: windowStates(sorted, windows, now),
            blockedUntil: 0,
          }
          const planned = planRequests(windows, now, count, { quota: snapshot })
          planned.forEach((t, i) => {
            expect(t).toBeGreaterThanOrEqual(real[i] as number)
          })
          expect(planned[0]).toBe(real[0]) // the first free slot is exact
        },
      ),
      { numRuns: 500 },
    )
  })

  it("no request: nothing to admit, the end is now", () => {
    expect(planRequests(defaultPolicy["tts/send"], NOW, 0)).toEqual([])
  })
})

describe("price table", () => {
  it("mirrors the emulator's (the provider's stand-in charges the same)", () => {
    expect(PRICES).toEqual(defaultPrices)
  })
  it("reckons speech time as the emulator does", () => {
    for (const text of ["Bonjour", "mot ".repeat(100), "Un, deux, trois ,, soleil", "à é ç"])
      for (const rate of [0.5, 1, 1.7, 2])
        expect(speechSeconds(text, rate), `${text} @${rate}`).toBe(
          emulatorSpeechSeconds(text, rate),
        )
  })
})
