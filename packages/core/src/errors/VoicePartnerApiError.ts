import type * as Cause from "effect/Cause"
import * as Schema from "effect/Schema"
import { Endpoints } from "../model/Endpoint.js"
import { defaultRetryPolicy, isRetryable, type RetryableFailure } from "../retry/RetryPolicy.js"

const API_ERROR_REASONS = [
  "Unauthorized",
  "InsufficientCredit",
  "InvalidRequest",
  "NotFound",
  "SenderNotAuthorized",
  "RateLimited",
  "IpNotAllowed",
  "ServiceUnavailable",
  "ServerError",
  "Unknown",
] as const

/** Why the upstream refused, independent of how it spelled it. */
export const ApiErrorReason: Schema.Literals<typeof API_ERROR_REASONS> =
  Schema.Literals(API_ERROR_REASONS)
export type ApiErrorReason = typeof ApiErrorReason.Type

/** The retry family of an API error reason, if it has one. */
export const failureOfReason = (reason: ApiErrorReason): RetryableFailure | undefined =>
  reason === "RateLimited" || reason === "ServiceUnavailable" || reason === "ServerError"
    ? reason
    : undefined

const VoicePartnerApiErrorBase: Schema.Class<
  VoicePartnerApiError,
  Schema.TaggedStruct<
    "VoicePartnerApiError",
    {
      readonly reason: typeof ApiErrorReason
      readonly endpoint: Schema.Literals<typeof Endpoints>
      readonly status: Schema.Number
      readonly code: Schema.optional<Schema.Union<readonly [Schema.String, Schema.Number]>>
      readonly detail: Schema.String
      readonly retryAfterMs: Schema.optional<Schema.Number>
    }
  >,
  Cause.YieldableError
> = Schema.TaggedError<VoicePartnerApiError>()("VoicePartnerApiError", {
  reason: ApiErrorReason,
  endpoint: Schema.Literals(Endpoints),
  status: Schema.Number,
  code: Schema.optional(Schema.Union([Schema.String, Schema.Number])),
  detail: Schema.String,
  retryAfterMs: Schema.optional(Schema.Number),
})

/**
 * The upstream answered with an error (non-2xx, or `success: false`). `code` is the
 * upstream's own (`NOT_CREDIT`, `10`, …); `retryable` (from the reason) says whether the
 * default retry policy tries again; `retryAfterMs` comes from `Retry-After` or `x-ratelimit-reset`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import type { CallError } from "@voicepartner/core"
 *
 * declare const send: Effect.Effect<void, CallError>
 * declare const alertOps: (message: string) => Effect.Effect<void>
 * const watched = send.pipe(
 *   Effect.catchTag("VoicePartnerApiError", (e) =>
 *     e.reason === "InsufficientCredit" ? alertOps(e.message) : Effect.fail(e),
 *   ),
 * )
 * ```
 */
export class VoicePartnerApiError extends VoicePartnerApiErrorBase {
  /** Whether the default retry policy tries it again (a 429 or a 503, and 5xx for reads). */
  get retryable(): boolean {
    const failure = failureOfReason(this.reason)
    return failure !== undefined && isRetryable(defaultRetryPolicy, this.endpoint, failure)
  }

  override get message(): string {
    const code = this.code === undefined ? "" : ` (${this.code})`
    return `Voice Partner ${this.endpoint} failed with HTTP ${this.status}${code}: ${this.detail}`
  }
}
