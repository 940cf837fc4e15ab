import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import { planAdmissions } from "@voicepartner/core/ratelimit/slidingLog"
import { broadcastReserve } from "../config/broadcastReserve.js"
import { ratePolicy } from "../config/policyOverride.js"

/** The bindings the quota's policy comes from (the Worker's `env` has them). */
export interface QuotaVars {
  readonly RATE_LIMIT_POLICY?: string | undefined
  readonly BROADCAST_RESERVE?: string | undefined
}

/**
 * When the last of `requests` requests to `endpoint` can leave, starting at `from`, under
 * the deployment's quota policy (`RATE_LIMIT_POLICY` over core's documented limits) less
 * the reserve single sends keep (`BROADCAST_RESERVE`), with nothing else using the
 * account: core's sliding-log planner, the one the quota decides with. An estimate:
 * single sends and other clients' broadcasts share the quota.
 *
 * @example
 * ```ts
 * estimatedEnd({}, "campaign/send", 6, Date.UTC(2026, 0, 1)) // 60 s later: 4 a minute for broadcasts
 * ```
 */
export const estimatedEnd = (
  vars: QuotaVars,
  endpoint: Endpoint,
  requests: number,
  from: number,
): number => {
  const configured = ratePolicy(vars.RATE_LIMIT_POLICY)
  if ("problem" in configured || requests <= 0) return from
  const reserve = broadcastReserve(vars.BROADCAST_RESERVE, configured.policy)
  const kept = "problem" in reserve ? [] : (reserve.reserve[endpoint] ?? [])
  const windows = configured.policy[endpoint].map((w, i) => ({
    ...w,
    limit: Math.max(1, w.limit - (kept[i] ?? 0)),
  }))
  return planAdmissions([], windows, from, requests).at(-1) ?? from
}
