import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type Endpoint, Endpoints } from "../../src/model/Endpoint.js"
import {
  type QuotaDecision,
  type QuotaJournal,
  QuotaMachine,
  type QuotaState,
} from "../../src/ratelimit/QuotaMachine.js"
import type { RateLimitPolicy, RateLimitWindow } from "../../src/ratelimit/RateLimitPolicy.js"
import { earliestAdmission, windowStates } from "../../src/ratelimit/slidingLog.js"

const endpoint: Endpoint = "campaign/send"

const policyOf = (windows: ReadonlyArray<RateLimitWindow>): RateLimitPolicy =>
  Object.fromEntries(Endpoints.map((e) => [e, windows])) as RateLimitPolicy

// Round instants often, so that admissions, window edges and blocks meet exactly.
const instant = (max: number) =>
  fc.oneof(
    fc.constantFrom(0, 5, 10, 20).filter((x) => x <= max),
    fc.integer({ min: 0, max }),
  )
const windowsArb = fc.array(
  fc.record({
    limit: fc.integer({ min: 1, max: 5 }),
    windowMs: instant(60).map((x) => Math.max(1, x)),
  }),
  { minLength: 1, maxLength: 3 },
)

/** One step of a run: time passes, then one call. Long runs go through compactions. */
type Step =
  | { readonly gap: number; readonly op: "acquire"; readonly maxWaitMs: number | undefined }
  | { readonly gap: number; readonly op: "release"; readonly pick: number }
  | { readonly gap: number; readonly op: "block"; readonly forMs: number }
  | { readonly gap: number; readonly op: "snapshot" }
  /** The object is evicted: a new machine is loaded from the rows (replay runs only). */
  | { readonly gap: number; readonly op: "reload" }

const gap = instant(12)
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      gap,
      op: fc.constant("acquire" as const),
      maxWaitMs: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ gap, op: fc.constant("release" as const), pick: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      gap,
      op: fc.constant("block" as const),
      forMs: instant(40),
    }),
  },
  { weight: 1, arbitrary: fc.record({ gap, op: fc.constant("snapshot" as const) }) },
  { weight: 1, arbitrary: fc.record({ gap, op: fc.constant("reload" as const) }) },
)
const stepsArb = fc.array(stepArb, { minLength: 1, maxLength: 300 })

/** A store as the Durable Object's SQLite applies the journal: rows, in no given order. */
const rowStore = () => {
  const admissions: Array<{ endpoint: string; at: number }> = []
  const blocks = new Map<string, number>()
  const journal: QuotaJournal = {
    admitted: (e, at) => {
      admissions.push({ endpoint: e, at })
    },
    released: (e, at) => {
      const index = admissions.findIndex((r) => r.endpoint === e && r.at === at)
      if (index >= 0) admissions.splice(index, 1)
    },
    pruned: (e, through) => {
      for (let i = admissions.length - 1; i >= 0; i--) {
        const row = admissions[i] as { endpoint: string; at: number }
        if (row.endpoint === e && row.at <= through) admissions.splice(i, 1)
      }
    },
    blocked: (e, until) => {
      blocks.set(e, until)
    },
  }
  const rows = () => ({
    admissions: [...admissions].reverse(),
    blocks: [...blocks].map(([e, until]) => ({ endpoint: e, until })),
  })
  const held = (e: string) =>
    admissions
      .filter((r) => r.endpoint === e)
      .map((r) => r.at)
      .sort((a, b) => a - b)
  return { journal, rows, held }
}

type Answer = QuotaDecision | QuotaState | undefined

/** Runs the steps on a machine; `machine()` may be replaced between steps (reload). */
const run = (
  steps: ReadonlyArray<Step>,
  machine: () => QuotaMachine,
  onReload: () => void,
  after?: (step: Step, answer: Answer, live: ReadonlyArray<number>) => void,
): Array<Answer> => {
  const answers: Array<Answer> = []
  const live: Array<number> = []
  let now = 0
  for (const step of steps) {
    now += step.gap
    let answer: Answer
    switch (step.op) {
      case "acquire": {
        answer = machine().acquire(endpoint, now, step.maxWaitMs)
        if (answer.admitted) live.push(answer.at)
        break
      }
      case "release": {
        if (live.length === 0) break
        const [at] = live.splice(step.pick % live.length, 1) as [number]
        answer = machine().release(endpoint, at, now)
        break
      }
      case "block":
        answer = machine().block(endpoint, now + step.forMs, now)
        break
      case "snapshot":
        answer = machine().snapshot(endpoint, now)
        break
      case "reload":
        onReload()
        break
    }
    answers.push(answer)
    after?.(step, answer, live)
  }
  return answers
}

/**
 * Every half-open window `(t - windowMs, t]` holds at most `limit` of `admissions` (the
 * fullest windows end on an admission: checking those is enough).
 */
const withinLimits = (
  admissions: ReadonlyArray<number>,
  windows: ReadonlyArray<RateLimitWindow>,
): boolean => {
  const sorted = [...admissions].sort((a, b) => a - b)
  return windows.every(({ limit, windowMs }) => {
    let first = 0
    return sorted.every((t, i) => {
      while ((sorted[first] as number) <= t - windowMs) first++
      return i - first + 1 <= limit
    })
  })
}

describe("QuotaMachine", () => {
  it("never admits more than any window allows, whatever is released or blocked", () => {
    fc.assert(
      fc.property(windowsArb, stepsArb, (windows, steps) => {
        const machine = new QuotaMachine(policyOf(windows))
        run(
          steps,
          () => machine,
          () => undefined,
          // The slots in use (admitted, not given back) respect every window, always.
          (_step, _answer, live) => expect(withinLimits(live, windows)).toBe(true),
        )
      }),
      { numRuns: 300 },
    )
  })

  it("decides like the pure sliding log, its state included", () => {
    fc.assert(
      fc.property(windowsArb, stepsArb, (windows, steps) => {
        const machine = new QuotaMachine(policyOf(windows))
        const log: Array<number> = []
        let blockedUntil = 0
        let now = 0
        for (const step of steps) {
          now += step.gap
          if (step.op === "block") {
            blockedUntil = Math.max(blockedUntil, now + step.forMs)
            machine.block(endpoint, now + step.forMs, now)
          }
          if (step.op !== "acquire") continue
          const at = earliestAdmission(log, windows, now, blockedUntil)
          const decision = machine.acquire(endpoint, now, step.maxWaitMs)
          const admit = step.maxWaitMs === undefined || at - now <= step.maxWaitMs
          if (admit) log.push(at)
          expect(decision.admitted).toBe(admit)
          if (decision.admitted) expect(decision.at).toBe(at)
          else expect(decision.retryAfterMs).toBe(at - now)
          expect(decision.state).toEqual({
            endpoint,
            now,
            windows: windowStates(log, windows, now),
            blockedUntil: blockedUntil > now ? blockedUntil : 0,
          })
        }
      }),
      { numRuns: 300 },
    )
  })

  it("replayed from its persisted rows, gives the same decisions as without persistence", () => {
    fc.assert(
      fc.property(windowsArb, stepsArb, (windows, steps) => {
        const policy = policyOf(windows)
        const store = rowStore()
        let persisted = new QuotaMachine(policy, { journal: store.journal })
        const withRows = run(
          steps,
          () => persisted,
          () => {
            persisted = new QuotaMachine(policy, { rows: store.rows(), journal: store.journal })
          },
          () => {
            // The rows are exactly what the machine holds: every change was journalled.
            expect(store.held(endpoint)).toEqual([...persisted.admissions(endpoint)])
          },
        )
        const plain = new QuotaMachine(policy)
        const withoutRows = run(
          steps,
          () => plain,
          () => undefined,
        )
        expect(withRows).toEqual(withoutRows)
      }),
      { numRuns: 300 },
    )
  })

  it("releasing a reservation frees exactly one slot: the rest runs as if it never was", () => {
    fc.assert(
      fc.property(
        windowsArb,
        stepsArb,
        fc.integer({ min: 0, max: 12 }),
        stepsArb,
        (windows, before, wait, after) => {
          const policy = policyOf(windows)
          const withRelease = new QuotaMachine(policy)
          const without = new QuotaMachine(policy)
          const prefix = before.filter((s) => s.op !== "reload" && s.op !== "release")
          run(
            prefix,
            () => withRelease,
            () => undefined,
          )
          run(
            prefix,
            () => without,
            () => undefined,
          )
          const now = prefix.reduce((t, s) => t + s.gap, 0)
          const slot = withRelease.acquire(endpoint, now)
          expect(slot.admitted).toBe(true)
          if (!slot.admitted) return
          // The caller leaves some time later, before its slot.
          const left = Math.min(now + wait, slot.at)
          const freed = withRelease.release(endpoint, slot.at, left)
          expect(freed).toEqual(without.snapshot(endpoint, left))
          // Same decisions afterwards (times shifted to start when the caller left).
          const rest = after.filter((s) => s.op !== "release" && s.op !== "reload")
          const shifted = (m: QuotaMachine) => {
            let t = left
            return rest.map((s) => {
              t += s.gap
              return s.op === "acquire"
                ? m.acquire(endpoint, t, s.maxWaitMs)
                : s.op === "block"
                  ? m.block(endpoint, t + s.forMs, t)
                  : m.snapshot(endpoint, t)
            })
          }
          expect(shifted(withRelease)).toEqual(shifted(without))
        },
      ),
      { numRuns: 300 },
    )
  })

  it("frees one slot per release, and a release of a slot it does not hold changes nothing", () => {
    const machine = new QuotaMachine(policyOf([{ limit: 2, windowMs: 60_000 }]))
    const a = machine.acquire(endpoint, 0, 0)
    const b = machine.acquire(endpoint, 0, 0)
    expect([a.admitted, b.admitted]).toEqual([true, true])
    expect(machine.acquire(endpoint, 0, 0)).toMatchObject({
      admitted: false,
      reason: "QuotaExhausted",
      retryAfterMs: 60_000,
    })
    expect(machine.release(endpoint, 0, 10).windows[0]?.remaining).toBe(1)
    expect(machine.release(endpoint, 5, 10).windows[0]?.remaining).toBe(1)
    expect(machine.acquire(endpoint, 10, 0)).toMatchObject({ admitted: true, at: 10 })
  })

  it("says Blocked while an upstream block sets the next slot, and journals only changes", () => {
    const changes: Array<string> = []
    const machine = new QuotaMachine(policyOf([{ limit: 5, windowMs: 60_000 }]), {
      journal: {
        admitted: (e, at) => changes.push(`+${e}@${at}`),
        released: (e, at) => changes.push(`-${e}@${at}`),
        pruned: (e, through) => changes.push(`prune ${e}≤${through}`),
        blocked: (e, until) => changes.push(`block ${e}<${until}`),
      },
    })
    machine.block(endpoint, 30_000, 0)
    machine.block(endpoint, 20_000, 0) // earlier: the block stands, nothing to write
    expect(machine.acquire(endpoint, 1_000, 0)).toMatchObject({
      admitted: false,
      reason: "Blocked",
      retryAfterMs: 29_000,
      state: { blockedUntil: 30_000 },
    })
    expect(machine.acquire(endpoint, 1_000, 60_000)).toMatchObject({ admitted: true, at: 30_000 })
    expect(changes).toEqual(["block campaign/send<30000", "+campaign/send@30000"])
  })

  it("drops expired admissions in one batch once the log holds twice the largest limit", () => {
    const pruned: Array<number> = []
    const machine = new QuotaMachine(policyOf([{ limit: 2, windowMs: 10 }]), {
      journal: {
        admitted: () => undefined,
        released: () => undefined,
        pruned: (_e, through) => pruned.push(through),
        blocked: () => undefined,
      },
    })
    for (let t = 0; t < 100; t += 10) machine.acquire(endpoint, t, 0)
    expect(machine.admissions(endpoint).length).toBeLessThanOrEqual(5)
    expect(pruned.length).toBeGreaterThan(0)
    expect(pruned.length).toBeLessThan(10)
  })

  it("restores from rows in any order and ignores rows of unknown endpoints", () => {
    const machine = new QuotaMachine(policyOf([{ limit: 3, windowMs: 60_000 }]), {
      rows: {
        admissions: [
          { endpoint, at: 20 },
          { endpoint: "gone/endpoint", at: 5 },
          { endpoint, at: 10 },
        ],
        blocks: [{ endpoint: "gone/endpoint", until: 1e12 }],
      },
    })
    expect(machine.admissions(endpoint)).toEqual([10, 20])
    expect(machine.acquire(endpoint, 30, 0)).toMatchObject({ admitted: true, at: 30 })
    expect(machine.acquire(endpoint, 30, 0)).toMatchObject({ admitted: false })
  })
})
