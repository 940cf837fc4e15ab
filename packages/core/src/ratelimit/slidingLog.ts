import type { RateLimitedError } from "../errors/RateLimitedError.js"
import { horizonMs, type RateLimitWindow } from "./RateLimitPolicy.js"

/**
 * The exact sliding-log algorithm, pure so that the in-memory limiter and the gateway's
 * Durable Object share it. A log is the ascending list of admission instants (epoch ms,
 * future reservations included). A window `{ limit, windowMs }` holds when every
 * half-open interval `(t - windowMs, t]` contains at most `limit` admissions — unlike a
 * token bucket, which lets a 5/min limit pass 9 requests in 60 s.
 */

/**
 * The earliest instant ≥ `now` (and ≥ `blockedUntil`, and not before the last
 * admission) at which one more admission keeps every window within its limit.
 * O(windows): since admissions are appended in order, a window is full at `t` exactly
 * when its `limit`-th most recent admission is later than `t - windowMs`.
 *
 * @example
 * ```ts
 * const perMinute = [{ limit: 5, windowMs: 60_000 }]
 * earliestAdmission([0, 0, 0, 0, 0], perMinute, 10) // 60_000
 * ```
 */
export const earliestAdmission = (
  log: ReadonlyArray<number>,
  windows: ReadonlyArray<RateLimitWindow>,
  now: number,
  blockedUntil = 0,
): number => {
  let at = Math.max(now, blockedUntil)
  const last = log[log.length - 1]
  if (last !== undefined && last > at) at = last
  for (const { limit, windowMs } of windows) {
    if (limit <= 0) return Number.POSITIVE_INFINITY
    const oldestCounted = log[log.length - limit]
    if (oldestCounted !== undefined && oldestCounted + windowMs > at) at = oldestCounted + windowMs
  }
  return at
}

/**
 * Why nothing can be admitted before `at` (from {@link earliestAdmission}): the upstream's
 * block when it is what sets `at`, full windows otherwise.
 *
 * @example
 * ```ts
 * refusalReason(90_000, 90_000, 10) // "Blocked"
 * refusalReason(60_000, 0, 10) // "QuotaExhausted"
 * ```
 */
export const refusalReason = (
  at: number,
  blockedUntil: number,
  now: number,
): RateLimitedError["reason"] =>
  blockedUntil > now && at === blockedUntil ? "Blocked" : "QuotaExhausted"

/**
 * The index of the first admission later than `t` in an ascending log (`log.length` when
 * there is none): binary search, so a decision costs the same with 5 admissions or 2,000.
 *
 * @example
 * ```ts
 * firstAfter([0, 10, 10, 70_000], 10) // 3
 * ```
 */
export const firstAfter = (log: ReadonlyArray<number>, t: number): number => {
  let low = 0
  let high = log.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if ((log[mid] as number) <= t) low = mid + 1
    else high = mid
  }
  return low
}

/**
 * Drops admissions too old to count in any window at `now`.
 *
 * @example
 * ```ts
 * prune([0, 10, 70_000], [{ limit: 5, windowMs: 60_000 }], 80_000) // [70_000]
 * ```
 */
export const prune = (
  log: ReadonlyArray<number>,
  windows: ReadonlyArray<RateLimitWindow>,
  now: number,
): ReadonlyArray<number> => {
  const first = firstAfter(log, now - horizonMs(windows))
  return first === 0 ? log : log.slice(first)
}

/** What a window looks like at an instant: for `RateLimit` headers and progress ETAs. */
export interface WindowState {
  readonly limit: number
  readonly windowMs: number
  /** Admissions still possible right now in this window. */
  readonly remaining: number
  /** When the oldest counted admission leaves the window (epoch ms); `now` if empty. */
  readonly resetAt: number
}

/**
 * The state of each window at `now`. Every admission later than `now - windowMs` counts,
 * future reservations included. O(windows × log n).
 *
 * @example
 * ```ts
 * windowStates([0], [{ limit: 5, windowMs: 60_000 }], 1_000)
 * // [{ limit: 5, windowMs: 60_000, remaining: 4, resetAt: 60_000 }]
 * ```
 */
export const windowStates = (
  log: ReadonlyArray<number>,
  windows: ReadonlyArray<RateLimitWindow>,
  now: number,
): ReadonlyArray<WindowState> =>
  windows.map(({ limit, windowMs }) => {
    const first = firstAfter(log, now - windowMs)
    const oldest = log[first]
    return {
      limit,
      windowMs,
      remaining: Math.max(0, limit - (log.length - first)),
      resetAt: oldest === undefined ? now : oldest + windowMs,
    }
  })

/**
 * The instants at which `count` more requests would be admitted, one after another,
 * starting from `log` at `now`: the basis of ETAs and of the CLI's dry-run estimate.
 *
 * @example
 * ```ts
 * const vms = [{ limit: 5, windowMs: 60_000 }, { limit: 2000, windowMs: 3_600_000 }]
 * planAdmissions([], vms, 0, 200).at(-1) // 2_340_000: 200 voicemail drops take 39 minutes
 * ```
 */
export const planAdmissions = (
  log: ReadonlyArray<number>,
  windows: ReadonlyArray<RateLimitWindow>,
  now: number,
  count: number,
  blockedUntil = 0,
): ReadonlyArray<number> => {
  const simulated = [...log]
  const instants: Array<number> = []
  for (let i = 0; i < count; i++) {
    const at = earliestAdmission(simulated, windows, now, blockedUntil)
    simulated.push(at)
    instants.push(at)
  }
  return instants
}
