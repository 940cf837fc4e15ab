import type * as Cause from "effect/Cause"
import * as Schema from "effect/Schema"
import { Endpoints } from "../model/Endpoint.js"
import { defaultRetryPolicy, isRetryable } from "../retry/RetryPolicy.js"

const TransportErrorBase: Schema.Class<
  TransportError,
  Schema.TaggedStruct<
    "TransportError",
    {
      readonly reason: Schema.Literals<readonly ["ConnectFailed", "Timeout", "ConnectionDropped"]>
      readonly endpoint: Schema.Literals<typeof Endpoints>
      readonly detail: Schema.String
    }
  >,
  Cause.YieldableError
> = Schema.TaggedError<TransportError>()("TransportError", {
  reason: Schema.Literals(["ConnectFailed", "Timeout", "ConnectionDropped"]),
  endpoint: Schema.Literals(Endpoints),
  detail: Schema.String,
})

/**
 * No usable answer came back. The reason tells whether the request can have reached
 * Voice Partner, which decides whether a send may be retried:
 * - `ConnectFailed`: refused or unresolved before anything was sent — safe to retry;
 * - `Timeout`, `ConnectionDropped`: the request may have been processed — a send is not
 *   retried by default, or messages could go out twice.
 *
 * @example
 * ```ts
 * import type { CallError } from "@voicepartner/core"
 *
 * declare const error: CallError
 * // A timeout or a dropped connection: check the campaigns before sending again.
 * const mayHaveGoneOut = error._tag === "TransportError" && error.reason !== "ConnectFailed"
 * ```
 */
export class TransportError extends TransportErrorBase {
  /** Whether the default retry policy tries it again: only `ConnectFailed` for a send. */
  get retryable(): boolean {
    return isRetryable(defaultRetryPolicy, this.endpoint, this.reason)
  }

  override get message(): string {
    return `Voice Partner ${this.endpoint}: ${this.reason} (${this.detail})`
  }
}
