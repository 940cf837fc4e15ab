/**
 * When to try a webhook again after `attempts` failed tries: the schedule's delay with
 * ±20 % jitter (so that a recovering receiver is not hit by every event at once), or
 * `undefined` when the schedule is spent and the event is given up.
 *
 * @example
 * ```ts
 * import { nextAttemptAt } from "./retrySchedule.js"
 *
 * nextAttemptAt([5_000, 30_000], 1, 0, 0.5) // 5_000: the first retry, 5 s after the failure
 * nextAttemptAt([5_000, 30_000], 3, 0, 0.5) // undefined: three tries failed, give up
 * ```
 */
export const nextAttemptAt = (
  scheduleMs: ReadonlyArray<number>,
  attempts: number,
  now: number,
  random: number,
): number | undefined => {
  const delay = scheduleMs[attempts - 1]
  if (delay === undefined) return undefined
  return now + Math.round(delay * (0.8 + 0.4 * random))
}
