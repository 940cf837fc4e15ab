/**
 * An endpoint's quota at the instant of an answer (`QuotaState`, for `RateLimit` fields),
 * and the answer to a request for a slot (`QuotaDecision`): core's `QuotaMachine` values,
 * which the `QuotaObject` returns as they are.
 */
export type { QuotaDecision, QuotaState } from "@voicepartner/core/ratelimit/QuotaMachine"
