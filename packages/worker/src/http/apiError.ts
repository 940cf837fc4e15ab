import * as Schema from "effect/Schema"
import type { ContentfulStatusCode } from "hono/utils/http-status"

/** The gateway's own error codes (upstream codes are passed through as they are). */
export type GatewayErrorCode =
  | "VALIDATION_ERROR"
  | "INVALID_JSON"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "IDEMPOTENCY_KEY_REUSED"
  | "IDEMPOTENCY_IN_PROGRESS"
  | "UPSTREAM_UNREACHABLE"
  | "UPSTREAM_TIMEOUT"
  | "UPSTREAM_OUTCOME_UNKNOWN"
  | "UPSTREAM_REJECTED_GATEWAY_KEY"
  | "GATEWAY_MISCONFIGURED"
  | "GATEWAY_UNAVAILABLE"
  | "CLIENT_CLOSED_REQUEST"
  | "CALLBACK_CAMPAIGN_MISMATCH"
  | "CALLBACK_SEND_NOT_RECORDED"
  | "INTERNAL_ERROR"

/**
 * The body of every error answer: `{ success: false, error: { code, message, field? } }`,
 * and in drop-in mode the provider's `code` and `message` at the top level too.
 */
export const ApiErrorBodySchema = Schema.Struct({
  success: Schema.Literal(false),
  error: Schema.Struct({
    code: Schema.Union([Schema.String, Schema.Number]),
    message: Schema.String,
    field: Schema.optional(Schema.String),
    issues: Schema.optional(
      Schema.Array(
        Schema.Struct({
          field: Schema.String,
          message: Schema.String,
          index: Schema.optional(Schema.Number),
        }),
      ),
    ),
    /** With `issues`: how many there were in all (only the first 100 are listed). */
    issueCount: Schema.optional(Schema.Number),
  }),
  /**
   * The upstream's own code, at the top level too, as Voice Partner places it; in drop-in
   * mode, the provider's code for every error (`http/dropInErrors.ts`).
   */
  code: Schema.optional(Schema.Union([Schema.String, Schema.Number])),
  /** Drop-in mode only: the provider's top-level `message` (the same text as `error.message`). */
  message: Schema.optional(Schema.String),
})
export type ApiErrorBody = typeof ApiErrorBodySchema.Type

/** An error answer, as status, body and extra headers. */
export interface ApiError {
  readonly status: ContentfulStatusCode
  readonly body: ApiErrorBody
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * Builds an error answer.
 *
 * @example
 * ```ts
 * apiError(401, "UNAUTHORIZED", "missing or unknown client token")
 * ```
 */
export const apiError = (
  status: ContentfulStatusCode,
  code: GatewayErrorCode,
  message: string,
  extra?: { readonly field?: string; readonly headers?: Readonly<Record<string, string>> },
): ApiError => ({
  status,
  body: {
    success: false,
    error: { code, message, ...(extra?.field !== undefined && { field: extra.field }) },
  },
  ...(extra?.headers !== undefined && { headers: extra.headers }),
})
