import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import { planAdmissions } from "@voicepartner/core/ratelimit/slidingLog"
import { broadcastReserve } from "../config/broadcastReserve.js"
import { ratePolicy } from "../config/policyOverride.js"

/**
 * How much longer than the quota's windows a broadcast spaces its own requests (counted
 * from their answers, see `pacedAt`), and waits past the quota's "come back in": counted
 * from an answer, a window already holds the provider's own delay; the margin covers the
 * millisecond rounding of two clocks and a window's edge counted either way. Its cost:
 * once per window (5 ms a minute for the documented 5 drops a minute), with a round trip.
 */
export const QUOTA_MARGIN_MS = 5

/** The bindings the quota's policy comes from (the Worker's `env` has them). */
export interface QuotaVars {
  readonly RATE_LIMIT_POLICY?: string | undefined
  readonly BROADCAST_RESERVE?: string | undefined
}

/**
 * The windows a broadcast's chunks of `endpoint` may use: the deployment's quota policy
 * (`RATE_LIMIT_POLICY` over core's documented limits), each limit less the reserve single
 * sends keep (`BROADCAST_RESERVE`); none when the policy does not parse (the quota then
 * refuses, and says why).
 *
 * @example
 * ```ts
 * broadcastWindows({}, "campaign/send") // [{ limit: 4, windowMs: 60_000 }, { limit: 1_900, windowMs: 3_600_000 }]
 * ```
 */
export const broadcastWindows = (
  vars: QuotaVars,
  endpoint: Endpoint,
): ReadonlyArray<{ readonly limit: number; readonly windowMs: number }> => {
  const configured = ratePolicy(vars.RATE_LIMIT_POLICY)
  if (!configured.ok) return []
  const reserve = broadcastReserve(vars.BROADCAST_RESERVE, configured.value)
  const kept = reserve.ok ? (reserve.value[endpoint] ?? []) : []
  return configured.value[endpoint].map((w, i) => ({
    ...w,
    limit: Math.max(1, w.limit - (kept[i] ?? 0)),
  }))
}

/**
 * When the last of `requests` requests to `endpoint` can leave, starting at `from`, under
 * the deployment's quota policy (`RATE_LIMIT_POLICY` over core's documented limits) less
 * the reserve single sends keep (`BROADCAST_RESERVE`), each window {@link QUOTA_MARGIN_MS}
 * longer as the broadcast paces itself, with nothing else using the account: core's
 * sliding-log planner, the one the quota decides with. An estimate: single sends and
 * other clients' broadcasts share the quota.
 *
 * @example
 * ```ts
 * estimatedEnd({}, "campaign/send", 6, Date.UTC(2026, 0, 1)) // 60.005 s later: 4 a minute for broadcasts
 * ```
 */
export const estimatedEnd = (
  vars: QuotaVars,
  endpoint: Endpoint,
  requests: number,
  from: number,
): number => {
  const windows = broadcastWindows(vars, endpoint).map((w) => ({
    limit: w.limit,
    windowMs: w.windowMs + QUOTA_MARGIN_MS,
  }))
  if (windows.length === 0 || requests <= 0) return from
  return planAdmissions([], windows, from, requests).at(-1) ?? from
}
