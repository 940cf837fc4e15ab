import { type Endpoint, Endpoints } from "@voicepartner/core/model/Endpoint"
import type { RateLimitPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import type { QuotaReserve } from "@voicepartner/core/ratelimit/SharedSlots"

/** Share of each window broadcasts leave to single sends unless told otherwise. */
const DEFAULT_SHARE = 0.05

/**
 * The slots of each window that broadcasts leave to single sends, so that an appointment
 * reminder is not stuck behind a campaign: by default 5 % of every window, rounded up —
 * 1 of the 5 voicemail drops a minute, 100 of the 2,000 an hour, 100 of the 2,000 voice
 * SMS an hour. `BROADCAST_RESERVE` (JSON, e.g. `{"campaign/send":[1,100]}`, one count per
 * window of the endpoint's policy) replaces it for the endpoints it lists.
 *
 * @example
 * ```ts
 * import { defaultPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
 * const reserve = broadcastReserve(undefined, defaultPolicy)
 * // { ok: true, value: { "campaign/send": [1, 100], "tts/send": [100], … } }
 * ```
 */
export const broadcastReserve = (
  json: string | undefined,
  policy: RateLimitPolicy,
):
  | { readonly ok: true; readonly value: QuotaReserve }
  | { readonly ok: false; readonly reason: string } => {
  const reserve: Partial<Record<Endpoint, ReadonlyArray<number>>> = {}
  for (const endpoint of Endpoints)
    reserve[endpoint] = policy[endpoint].map((w) => Math.ceil(w.limit * DEFAULT_SHARE))
  if (json === undefined || json.trim() === "") return { ok: true, value: reserve }
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch {
    return { ok: false, reason: "BROADCAST_RESERVE is not valid JSON" }
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return { ok: false, reason: "BROADCAST_RESERVE must be an object keyed by endpoint" }
  for (const [endpoint, counts] of Object.entries(raw)) {
    if (!(Endpoints as ReadonlyArray<string>).includes(endpoint))
      return {
        ok: false,
        reason: `BROADCAST_RESERVE.${endpoint} is not an endpoint (${Endpoints.join(", ")})`,
      }
    const windows = policy[endpoint as Endpoint]
    if (
      !Array.isArray(counts) ||
      counts.length !== windows.length ||
      counts.some((n, i) => !Number.isInteger(n) || n < 0 || n > (windows[i]?.limit ?? 0))
    )
      return {
        ok: false,
        reason: `BROADCAST_RESERVE.${endpoint} must list ${windows.length} whole number(s), one per window, each at most its limit`,
      }
    reserve[endpoint as Endpoint] = counts as ReadonlyArray<number>
  }
  return { ok: true, value: reserve }
}
