import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as TestClock from "effect/testing/TestClock"
import * as fc from "fast-check"
import type { Endpoint } from "../../src/model/Endpoint.js"
import { Endpoints } from "../../src/model/Endpoint.js"
import { makeMemoryRateLimiter } from "../../src/ratelimit/RateLimiter.js"
import type { RateLimitPolicy, RateLimitWindow } from "../../src/ratelimit/RateLimitPolicy.js"
import { earliestAdmission } from "../../src/ratelimit/slidingLog.js"

// Long runs (the in-memory limiter compacts its log past twice the largest limit) with
// blocks and impatient callers: every answer must be the pure sliding log's.
const scenario = fc.record({
  windows: fc.array(
    fc.record({ limit: fc.integer({ min: 1, max: 6 }), windowMs: fc.integer({ min: 1, max: 60 }) }),
    { minLength: 1, maxLength: 3 },
  ),
  steps: fc.array(
    fc.record({
      gap: fc.integer({ min: 0, max: 15 }),
      block: fc.option(fc.integer({ min: 0, max: 40 }), { freq: 8 }),
      maxWaitMs: fc.option(fc.integer({ min: 0, max: 30 }), { freq: 2 }),
    }),
    { minLength: 50, maxLength: 400 },
  ),
})

describe("in-memory RateLimiter", () => {
  it.effect("answers like the pure sliding log over long runs with blocks", () =>
    Effect.gen(function* () {
      for (const { windows, steps } of fc.sample(scenario, { numRuns: 40, seed: 42 })) {
        const endpoint: Endpoint = "campaign/send"
        const policy = Object.fromEntries(
          Endpoints.map((e) => [e, windows as ReadonlyArray<RateLimitWindow>]),
        ) as RateLimitPolicy
        const limiter = yield* makeMemoryRateLimiter(policy)
        yield* TestClock.setTime(0)
        const log: Array<number> = []
        let blockedUntil = 0
        let now = 0
        for (const step of steps) {
          now += step.gap
          yield* TestClock.setTime(now)
          if (step.block !== null) {
            blockedUntil = Math.max(blockedUntil, now + step.block)
            yield* limiter.block(endpoint, now + step.block)
          }
          const expected = earliestAdmission(log, windows, now, blockedUntil)
          const exit = yield* Effect.exit(
            limiter.acquire(
              endpoint,
              step.maxWaitMs === null ? undefined : { maxWaitMs: step.maxWaitMs },
            ),
          )
          if (step.maxWaitMs !== null && expected - now > step.maxWaitMs) {
            expect(Exit.isFailure(exit)).toBe(true)
          } else {
            expect(exit).toEqual(Exit.succeed({ endpoint, at: expected }))
            log.push(expected)
          }
        }
        const snapshot = yield* limiter.snapshot(endpoint)
        expect(snapshot.blockedUntil).toBe(blockedUntil > now ? blockedUntil : 0)
      }
    }),
  )
})
