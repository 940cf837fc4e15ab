import * as Schema from "effect/Schema"
import { Endpoints } from "../model/Endpoint.js"

/** Why the upstream refused, independent of how it spelled it. */
export const ApiErrorReason = Schema.Literals([
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
])
export type ApiErrorReason = typeof ApiErrorReason.Type

/**
 * The upstream answered with an error (non-2xx, or `success: false`). `code` is the
 * upstream's own (`NOT_CREDIT`, `10`, …); `retryable` says whether the retry policy may
 * try again; `retryAfterMs` comes from `Retry-After` or `x-ratelimit-reset`.
 *
 * @example
 * ```ts
 * Effect.catchTag("VoicePartnerApiError", (e) =>
 *   e.reason === "InsufficientCredit" ? alertOps() : Effect.fail(e))
 * ```
 */
export class VoicePartnerApiError extends Schema.TaggedError<VoicePartnerApiError>()(
  "VoicePartnerApiError",
  {
    reason: ApiErrorReason,
    endpoint: Schema.Literals(Endpoints),
    status: Schema.Number,
    code: Schema.optional(Schema.Union([Schema.String, Schema.Number])),
    detail: Schema.String,
    retryable: Schema.Boolean,
    retryAfterMs: Schema.optional(Schema.Number),
  },
) {
  override get message(): string {
    const code = this.code === undefined ? "" : ` (${this.code})`
    return `Voice Partner ${this.endpoint} failed with HTTP ${this.status}${code}: ${this.detail}`
  }
}
