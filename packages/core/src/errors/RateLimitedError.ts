import type * as Cause from "effect/Cause"
import * as Schema from "effect/Schema"
import { Endpoints } from "../model/Endpoint.js"

const RateLimitedErrorBase: Schema.Class<
  RateLimitedError,
  Schema.TaggedStruct<
    "RateLimitedError",
    {
      readonly reason: Schema.Literals<readonly ["QuotaExhausted", "Blocked"]>
      readonly endpoint: Schema.Literals<typeof Endpoints>
      readonly retryAfterMs: Schema.Number
    }
  >,
  Cause.YieldableError
> = Schema.TaggedError<RateLimitedError>()("RateLimitedError", {
  reason: Schema.Literals(["QuotaExhausted", "Blocked"]),
  endpoint: Schema.Literals(Endpoints),
  retryAfterMs: Schema.Number,
})

/**
 * The local rate limiter would make this call wait longer than allowed (`maxWaitMs`):
 * nothing was sent. `retryAfterMs` is when a slot will be free.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import type { CallError } from "@voicepartner/core"
 *
 * declare const send: Effect.Effect<void, CallError>
 * const later = send.pipe(
 *   Effect.catchTag("RateLimitedError", (e) => Effect.andThen(Effect.sleep(e.retryAfterMs), send)),
 * )
 * ```
 */
export class RateLimitedError extends RateLimitedErrorBase {
  /** Always worth trying again, after `retryAfterMs`: nothing was sent. */
  get retryable(): boolean {
    return true
  }

  override get message(): string {
    return `Rate limit for ${this.endpoint}: next slot in ${Math.ceil(this.retryAfterMs / 1000)} s (${this.reason})`
  }
}
