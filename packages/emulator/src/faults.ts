/**
 * Failures the emulator can inject, for tests of retries and of "nothing sent twice".
 * Random choices come from a seeded generator so that a failing test replays exactly.
 */
export interface Faults {
  /** Share (0-1) of provider requests answered with one of `errorStatuses` before any work. */
  readonly errorRate?: number | undefined
  readonly errorStatuses?: ReadonlyArray<500 | 502 | 503> | undefined
  /** Fail exactly these sends (1-based, counted from when faults were set) with `failStatus`. */
  readonly failSends?: ReadonlyArray<number> | undefined
  readonly failStatus?: 500 | 502 | 503 | undefined
  /** Added latency per provider request, in milliseconds (real time). */
  readonly latencyMs?: number | undefined
  /**
   * Up to this much more latency per request, drawn uniformly from the seeded generator:
   * arrivals spaced unevenly, as over a real network (before the rate limit counts them).
   */
  readonly latencyJitterMs?: number | undefined
  /** Share of requests whose connection is dropped BEFORE the request is processed. */
  readonly dropBeforeRate?: number | undefined
  /** Share of requests processed (a send is recorded and charged) and THEN dropped. */
  readonly dropAfterRate?: number | undefined
  /** Deliver every callback twice. */
  readonly duplicateCallbacks?: boolean | undefined
  /** Deliver the callbacks of a send in a shuffled order. */
  readonly reorderCallbacks?: boolean | undefined
  readonly seed?: number | undefined
}

/** What to do with one request. */
export type FaultDecision =
  | { readonly kind: "none" }
  | { readonly kind: "error"; readonly status: number }
  | { readonly kind: "drop-before" }
  | { readonly kind: "drop-after" }

/** Seeded PRNG (mulberry32): small and good enough to spread faults reproducibly. */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The active faults with their generator and counters. */
export class FaultPlan {
  private readonly random: () => number
  private sends = 0

  constructor(readonly faults: Faults = {}) {
    this.random = seededRandom(faults.seed ?? 1)
  }

  decide(isSend: boolean): FaultDecision {
    const f = this.faults
    if (isSend) {
      this.sends++
      if (f.failSends?.includes(this.sends)) return { kind: "error", status: f.failStatus ?? 503 }
    }
    if (f.dropBeforeRate !== undefined && this.random() < f.dropBeforeRate)
      return { kind: "drop-before" }
    if (f.errorRate !== undefined && this.random() < f.errorRate) {
      const statuses = f.errorStatuses ?? [500, 502, 503]
      return { kind: "error", status: statuses[Math.floor(this.random() * statuses.length)] ?? 500 }
    }
    if (f.dropAfterRate !== undefined && this.random() < f.dropAfterRate)
      return { kind: "drop-after" }
    return { kind: "none" }
  }

  /** How long to hold this request before handling it (`latencyMs` + a draw of `latencyJitterMs`). */
  latency(): number {
    const { latencyMs = 0, latencyJitterMs = 0 } = this.faults
    return Math.max(0, latencyMs) + (latencyJitterMs > 0 ? this.random() * latencyJitterMs : 0)
  }

  /** Applies duplication and reordering to the callbacks of one send. */
  arrange<A>(callbacks: ReadonlyArray<A>): ReadonlyArray<A> {
    let out =
      this.faults.duplicateCallbacks === true ? callbacks.flatMap((c) => [c, c]) : [...callbacks]
    if (this.faults.reorderCallbacks === true) {
      out = [...out]
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1))
        ;[out[i], out[j]] = [out[j] as A, out[i] as A]
      }
    }
    return out
  }
}

/** Marks a response whose connection the server must drop instead of answering. */
export const DROP_HEADER = "x-voicepartner-emulator-drop"
