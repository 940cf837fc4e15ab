import { type Endpoint, Endpoints } from "@voicepartner/core/model/Endpoint"
import {
  defaultPolicy,
  type RateLimitPolicy,
  type RateLimitWindow,
} from "@voicepartner/core/ratelimit/RateLimitPolicy"

/**
 * The quota policy: core's documented limits, with the endpoints listed in
 * `RATE_LIMIT_POLICY` (JSON, e.g. `{"tts/send":[{"limit":5000,"windowMs":3600000}]}`)
 * replaced. Only raise a limit that Voice Partner has granted your account: the upstream's
 * 429 stays authoritative. A malformed value is a problem naming the endpoint.
 *
 * @example
 * ```ts
 * ratePolicy(undefined) // { ok: true, value: defaultPolicy }
 * ratePolicy('{"tts/send":[{"limit":5000,"windowMs":3600000}]}')
 * // { ok: true, value: { ...defaultPolicy, "tts/send": [{ limit: 5000, windowMs: 3600000 }] } }
 * ratePolicy("[]") // { ok: false, reason: "RATE_LIMIT_POLICY must be an object keyed by endpoint" }
 * ```
 */
export const ratePolicy = (
  json: string | undefined,
):
  | { readonly ok: true; readonly value: RateLimitPolicy }
  | { readonly ok: false; readonly reason: string } => {
  if (json === undefined || json.trim() === "") return { ok: true, value: defaultPolicy }
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch {
    return { ok: false, reason: "RATE_LIMIT_POLICY is not valid JSON" }
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return { ok: false, reason: "RATE_LIMIT_POLICY must be an object keyed by endpoint" }
  const policy: Record<Endpoint, ReadonlyArray<RateLimitWindow>> = { ...defaultPolicy }
  for (const [endpoint, windows] of Object.entries(raw)) {
    if (!(Endpoints as ReadonlyArray<string>).includes(endpoint))
      return {
        ok: false,
        reason: `RATE_LIMIT_POLICY.${endpoint} is not an endpoint (${Endpoints.join(", ")})`,
      }
    const valid =
      Array.isArray(windows) &&
      windows.length > 0 &&
      windows.every(
        (w: unknown) =>
          typeof w === "object" &&
          w !== null &&
          Number.isInteger((w as RateLimitWindow).limit) &&
          (w as RateLimitWindow).limit > 0 &&
          Number.isInteger((w as RateLimitWindow).windowMs) &&
          (w as RateLimitWindow).windowMs >= 1000,
      )
    if (!valid)
      return {
        ok: false,
        reason: `RATE_LIMIT_POLICY.${endpoint} must be a list of { limit: integer > 0, windowMs: integer >= 1000 }`,
      }
    policy[endpoint as Endpoint] = windows as ReadonlyArray<RateLimitWindow>
  }
  return { ok: true, value: policy }
}
