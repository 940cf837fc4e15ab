import type { RateLimitedError } from "@voicepartner/core/errors/RateLimitedError"
import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import type { WindowState } from "@voicepartner/core/ratelimit/slidingLog"

/** An endpoint's quota as the Durable Object sees it, for `RateLimit` fields. */
export interface QuotaState {
  readonly endpoint: Endpoint
  readonly now: number
  readonly windows: ReadonlyArray<WindowState>
  /** No admission before this instant (after an upstream 429); 0 when not blocked. */
  readonly blockedUntil: number
}

/** The Durable Object's answer to a request for a slot. */
export type QuotaDecision =
  | { readonly admitted: true; readonly at: number; readonly state: QuotaState }
  | {
      readonly admitted: false
      readonly reason: RateLimitedError["reason"]
      readonly retryAfterMs: number
      readonly state: QuotaState
    }
