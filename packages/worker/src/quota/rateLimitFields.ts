import type { QuotaState } from "./QuotaState.js"

const policyName = (endpoint: string, windowMs: number) =>
  `"${endpoint.replace(/[^a-z]+/g, "-")}-${Math.round(windowMs / 1000)}s"`

/**
 * The IETF `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers)
 * of an endpoint: one item per window, `q`/`w` for the quota and its window in seconds,
 * `r` for what is left and `t` for the seconds until a slot frees. While the account is
 * blocked after an upstream 429, `r` is 0 and `t` runs to the end of the block.
 *
 * @example
 * ```ts
 * const now = Date.now() // one send admitted just now
 * rateLimitFields({
 *   endpoint: "campaign/send",
 *   now,
 *   blockedUntil: 0,
 *   windows: [
 *     { limit: 5, windowMs: 60_000, remaining: 4, resetAt: now + 60_000 },
 *     { limit: 2000, windowMs: 3_600_000, remaining: 1999, resetAt: now + 3_600_000 },
 *   ],
 * })
 * // { "RateLimit-Policy": '"campaign-send-60s";q=5;w=60, "campaign-send-3600s";q=2000;w=3600',
 * //   RateLimit: '"campaign-send-60s";r=4;t=60, "campaign-send-3600s";r=1999;t=3600' }
 * ```
 */
export const rateLimitFields = (
  state: QuotaState,
): { readonly "RateLimit-Policy": string; readonly RateLimit: string } => {
  const blockedFor = Math.max(0, state.blockedUntil - state.now)
  return {
    "RateLimit-Policy": state.windows
      .map((w) => `${policyName(state.endpoint, w.windowMs)};q=${w.limit};w=${w.windowMs / 1000}`)
      .join(", "),
    RateLimit: state.windows
      .map((w) => {
        const remaining = blockedFor > 0 ? 0 : w.remaining
        const untilReset = Math.max(w.resetAt - state.now, blockedFor)
        return `${policyName(state.endpoint, w.windowMs)};r=${remaining};t=${Math.ceil(untilReset / 1000)}`
      })
      .join(", "),
  }
}
