import { defaultPolicy, type RateLimitWindow } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import { earliestAdmission, windowStates } from "@voicepartner/core/ratelimit/slidingLog"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { RefusalCache } from "../src/quota/refusalCache.js"

// The cache may refuse locally only what the quota object would refuse: whatever others
// admit meanwhile, no admission is possible before the instant it learnt.
describe("RefusalCache", () => {
  const windows = fc.constantFrom<ReadonlyArray<RateLimitWindow>>(
    defaultPolicy["campaign/send"],
    [{ limit: 3, windowMs: 10_000 }],
    [
      { limit: 2, windowMs: 5_000 },
      { limit: 4, windowMs: 30_000 },
    ],
  )

  it("never refuses a request the quota object would admit", () => {
    fc.assert(
      fc.property(
        windows,
        fc.array(fc.integer({ min: 0, max: 40_000 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 90_000 }), { maxLength: 10 }),
        fc.integer({ min: 0, max: 90_000 }),
        (policy, arrivals, blockedUntil, extra, later, probe) => {
          // Build a log as the object would: each arrival admitted at its earliest slot.
          const log: Array<number> = []
          for (const t of [...arrivals].sort((a, b) => a - b))
            log.push(earliestAdmission(log, policy, t, blockedUntil))
          const now = Math.max(0, ...log.filter((t) => t <= 40_000))
          const cache = new RefusalCache()
          cache.learn("a", {
            endpoint: "campaign/send",
            now,
            windows: windowStates(log, policy, now),
            blockedUntil: blockedUntil > now ? blockedUntil : 0,
          })
          // Others admit more afterwards; then a request arrives at `probe`.
          for (const t of later.slice(0, extra).sort((a, b) => a - b))
            if (t >= now) log.push(earliestAdmission(log, policy, t, blockedUntil))
          const at = Math.max(now, probe)
          const refusal = cache.refusal("a", "campaign/send", at, 0)
          if (refusal !== undefined) {
            expect(earliestAdmission(log, policy, at, blockedUntil)).toBeGreaterThan(at)
            expect(earliestAdmission(log, policy, at, blockedUntil)).toBeGreaterThanOrEqual(
              at + refusal.retryAfterMs,
            )
          }
        },
      ),
      { numRuns: 500 },
    )
  })

  it("refuses from what it learnt, and forgets when a slot is free", () => {
    const cache = new RefusalCache()
    const full = {
      endpoint: "campaign/send" as const,
      now: 1_000,
      windows: [{ limit: 5, windowMs: 60_000, remaining: 0, resetAt: 41_000 }],
      blockedUntil: 0,
    }
    cache.learn("a", full)
    expect(cache.refusal("a", "campaign/send", 11_000, 0)).toMatchObject({
      retryAfterMs: 30_000,
      reason: "QuotaExhausted",
    })
    expect(cache.refusal("a", "campaign/send", 11_000, 30_000)).toBeUndefined()
    expect(cache.refusal("a", "tts/send", 11_000, 0)).toBeUndefined()
    expect(cache.refusal("b", "campaign/send", 11_000, 0)).toBeUndefined()
    cache.learn("a", { ...full, windows: [{ ...full.windows[0]!, remaining: 1 }] })
    expect(cache.refusal("a", "campaign/send", 11_000, 0)).toBeUndefined()
    // An upstream 429 blocks the endpoint: the refusal says so.
    cache.learn("a", {
      ...full,
      windows: [{ ...full.windows[0]!, remaining: 1 }],
      blockedUntil: 50_000,
    })
    expect(cache.refusal("a", "campaign/send", 11_000, 0)).toMatchObject({
      retryAfterMs: 39_000,
      reason: "Blocked",
    })
  })
})
