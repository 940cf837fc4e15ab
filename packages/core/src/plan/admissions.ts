import type { RateLimitSnapshot } from "../ratelimit/RateLimiter.js"
import type { RateLimitWindow } from "../ratelimit/RateLimitPolicy.js"
import { planAdmissions } from "../ratelimit/slidingLog.js"

/**
 * Where the quota stands when a plan starts: a limiter's snapshot (windows with what is
 * left), or the admission log itself (what the gateway's quota object keeps).
 */
export type QuotaStart =
  | RateLimitSnapshot
  | { readonly admissions: ReadonlyArray<number>; readonly blockedUntil?: number | undefined }

/** Part of a window left to others: `keep` admissions of the window of `windowMs`. */
export interface WindowReserve {
  readonly windowMs: number
  readonly keep: number
}

/**
 * The windows a plan may use: each limit less its reserve. Broadcasts leave 1 of 5/min and
 * 100 of 2000/h to single sends: `[{ windowMs: 60_000, keep: 1 }, { windowMs: 3_600_000, keep: 100 }]`.
 *
 * @example
 * ```ts
 * withReserve([{ limit: 5, windowMs: 60_000 }], [{ windowMs: 60_000, keep: 1 }])
 * // [{ limit: 4, windowMs: 60_000 }]
 * ```
 */
export const withReserve = (
  windows: ReadonlyArray<RateLimitWindow>,
  reserve: ReadonlyArray<WindowReserve> = [],
): ReadonlyArray<RateLimitWindow> =>
  windows.map((w) => {
    const keep = reserve.reduce((n, r) => (r.windowMs === w.windowMs ? n + r.keep : n), 0)
    return keep > 0 ? { limit: Math.max(0, w.limit - keep), windowMs: w.windowMs } : w
  })

/**
 * An admission log that a snapshot's windows would report at `now`: for each window, its
 * oldest counted admission where the snapshot says it leaves (`resetAt`), and the others
 * as late as they can be (conservative: the plan never admits earlier than the real log
 * would). The windows are laid out from the longest; admissions a shorter window counts
 * count in the longer ones too.
 */
const logOfSnapshot = (
  snapshot: RateLimitSnapshot,
  windows: ReadonlyArray<RateLimitWindow>,
  now: number,
): Array<number> => {
  const states = windows
    .map((w) => {
      const s = snapshot.windows.find((x) => x.windowMs === w.windowMs)
      const used = s === undefined ? 0 : Math.max(0, s.limit - s.remaining)
      return { windowMs: w.windowMs, used, oldest: s === undefined ? now : s.resetAt - w.windowMs }
    })
    .sort((a, b) => b.windowMs - a.windowMs)
  const log: Array<number> = []
  for (let i = 0; i < states.length; i++) {
    const s = states[i] as (typeof states)[number]
    const shorter = states[i + 1]
    // Admissions counted by this window and not by the next shorter one.
    const need = s.used - (shorter?.used ?? 0)
    if (need <= 0) continue
    // The latest instant the shorter window does not count: (t - W, t] is half-open.
    const latest = shorter === undefined ? now : now - shorter.windowMs
    log.push(Math.min(s.oldest, latest))
    for (let k = 1; k < need; k++) log.push(Math.max(s.oldest, latest))
  }
  return log.sort((a, b) => a - b)
}

/**
 * The instants (epoch ms) at which `count` requests would be admitted one after another
 * from `now`, under `windows` less `reserve`, starting from `quota` (empty by default):
 * the sliding-log algorithm of the limiters (`planAdmissions`).
 *
 * @example
 * ```ts
 * const vms = [{ limit: 5, windowMs: 60_000 }, { limit: 2000, windowMs: 3_600_000 }]
 * planRequests(vms, 0, 200).at(-1) // 2_340_000: 39 minutes
 * planRequests(vms, 0, 8, { reserve: [{ windowMs: 60_000, keep: 1 }] }).at(-1) // 60_000
 * ```
 */
export const planRequests = (
  windows: ReadonlyArray<RateLimitWindow>,
  now: number,
  count: number,
  options: {
    readonly quota?: QuotaStart | undefined
    readonly reserve?: ReadonlyArray<WindowReserve> | undefined
  } = {},
): ReadonlyArray<number> => {
  const usable = withReserve(windows, options.reserve)
  const quota = options.quota
  if (quota === undefined) return planAdmissions([], usable, now, count)
  if ("admissions" in quota)
    return planAdmissions(quota.admissions, usable, now, count, quota.blockedUntil ?? 0)
  return planAdmissions(logOfSnapshot(quota, windows, now), usable, now, count, quota.blockedUntil)
}
