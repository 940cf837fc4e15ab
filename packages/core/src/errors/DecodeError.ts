import type * as Cause from "effect/Cause"
import * as Schema from "effect/Schema"
import { Endpoints } from "../model/Endpoint.js"

const DecodeErrorBase: Schema.Class<
  DecodeError,
  Schema.TaggedStruct<
    "DecodeError",
    {
      readonly reason: Schema.Literals<readonly ["NotJson", "UnexpectedShape"]>
      readonly endpoint: Schema.Literals<typeof Endpoints>
      readonly status: Schema.Number
      readonly detail: Schema.String
    }
  >,
  Cause.YieldableError
> = Schema.TaggedError<DecodeError>()("DecodeError", {
  reason: Schema.Literals(["NotJson", "UnexpectedShape"]),
  endpoint: Schema.Literals(Endpoints),
  status: Schema.Number,
  detail: Schema.String,
})

/**
 * The upstream said it succeeded but its answer could not be read. For a send the
 * messages may well have gone out: never retried.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import type { CallError } from "@voicepartner/core"
 *
 * declare const send: Effect.Effect<void, CallError>
 * // Not retried: look at the campaigns before sending again.
 * const logged = send.pipe(Effect.catchTag("DecodeError", (e) => Effect.logError(e.message)))
 * ```
 */
export class DecodeError extends DecodeErrorBase {
  /** Never: the upstream said it succeeded, and trying again could send twice. */
  get retryable(): boolean {
    return false
  }

  override get message(): string {
    return `Voice Partner ${this.endpoint} answered HTTP ${this.status} with an unreadable body: ${this.detail}`
  }
}
