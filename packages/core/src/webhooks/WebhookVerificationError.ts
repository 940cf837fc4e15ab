import type * as Cause from "effect/Cause"
import * as Schema from "effect/Schema"

const WebhookVerificationErrorBase: Schema.Class<
  WebhookVerificationError,
  Schema.TaggedStruct<
    "WebhookVerificationError",
    {
      readonly reason: Schema.Literals<
        readonly [
          "MissingHeaders",
          "InvalidTimestamp",
          "TimestampOutOfTolerance",
          "InvalidSignature",
          "InvalidSecret",
          "InvalidPayload",
        ]
      >
      readonly detail: Schema.String
    }
  >,
  Cause.YieldableError
> = Schema.TaggedError<WebhookVerificationError>()("WebhookVerificationError", {
  reason: Schema.Literals([
    "MissingHeaders",
    "InvalidTimestamp",
    "TimestampOutOfTolerance",
    "InvalidSignature",
    "InvalidSecret",
    "InvalidPayload",
  ]),
  detail: Schema.String,
})

/**
 * A webhook that must not be trusted: its Standard Webhooks headers are missing, too old
 * or too new, or its signature does not match the body.
 *
 * @example
 * ```ts
 * import { verifyWebhook, WebhookVerificationError } from "@voicepartner/core"
 *
 * declare const secret: string
 * const receive = async (request: Request): Promise<Response> => {
 *   try {
 *     await verifyWebhook({ secret, headers: request.headers, payload: await request.text() })
 *     return new Response(null, { status: 204 })
 *   } catch (e) {
 *     if (e instanceof WebhookVerificationError) return new Response(null, { status: 401 })
 *     throw e
 *   }
 * }
 * ```
 */
export class WebhookVerificationError extends WebhookVerificationErrorBase {
  override get message(): string {
    return `Webhook refused (${this.reason}): ${this.detail}`
  }
}
