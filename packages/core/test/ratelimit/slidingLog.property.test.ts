import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { RateLimitWindow } from "../../src/ratelimit/RateLimitPolicy.js"
import { earliestAdmission, planAdmissions, prune } from "../../src/ratelimit/slidingLog.js"

const windowArb = fc.record({
  limit: fc.integer({ min: 1, max: 6 }),
  windowMs: fc.integer({ min: 1, max: 50 }),
})
const policyArb = fc.array(windowArb, { minLength: 1, maxLength: 3 })
// Arrival instants, in order; several requests may arrive at once.
const arrivalsArb = fc
  .array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 40 })
  .map((gaps) => {
    let t = 0
    return gaps.map((g) => (t += g))
  })

const admissible = (
  log: ReadonlyArray<number>,
  windows: ReadonlyArray<RateLimitWindow>,
  t: number,
): boolean =>
  windows.every(
    ({ limit, windowMs }) => log.filter((x) => x > t - windowMs && x <= t).length < limit,
  )

/** Brute force: the first integer instant ≥ max(now, last) at which every window has room. */
const oracle = (
  log: ReadonlyArray<number>,
  windows: ReadonlyArray<RateLimitWindow>,
  now: number,
): number => {
  let t = Math.max(now, log.at(-1) ?? now)
  while (!admissible(log, windows, t)) t++
  return t
}

const admitAll = (arrivals: ReadonlyArray<number>, windows: ReadonlyArray<RateLimitWindow>) => {
  let log: ReadonlyArray<number> = []
  const admitted: Array<number> = []
  for (const now of arrivals) {
    log = prune(log, windows, now)
    const at = earliestAdmission(log, windows, now)
    log = [...log, at]
    admitted.push(at)
  }
  return admitted
}

describe("sliding log", () => {
  it("never admits more than a window's limit in any rolling window", () => {
    fc.assert(
      fc.property(policyArb, arrivalsArb, (windows, arrivals) => {
        const admitted = admitAll(arrivals, windows)
        for (const { limit, windowMs } of windows) {
          for (const t of admitted) {
            expect(admitted.filter((x) => x > t - windowMs && x <= t).length).toBeLessThanOrEqual(
              limit,
            )
          }
        }
      }),
      { numRuns: 300 },
    )
  })

  it("admits every request at the earliest allowed instant (brute-force oracle)", () => {
    fc.assert(
      fc.property(policyArb, arrivalsArb, (windows, arrivals) => {
        let log: Array<number> = []
        for (const now of arrivals) {
          const expected = oracle(log, windows, now)
          const at = earliestAdmission(prune(log, windows, now), windows, now)
          expect(at).toBe(expected)
          log = [...log, at]
        }
      }),
      { numRuns: 300 },
    )
  })

  it("lets exactly 5 voicemail drops through per minute, not 9 as a token bucket would", () => {
    const vms = [
      { limit: 5, windowMs: 60_000 },
      { limit: 2000, windowMs: 3_600_000 },
    ]
    const plan = planAdmissions([], vms, 0, 12)
    expect(plan).toEqual([0, 0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000, 60_000, 120_000, 120_000])
    expect(planAdmissions([], vms, 0, 200).at(-1)).toBe(39 * 60_000)
  })

  it("respects an upstream block", () => {
    expect(earliestAdmission([], [{ limit: 5, windowMs: 60_000 }], 1_000, 30_000)).toBe(30_000)
  })
})
