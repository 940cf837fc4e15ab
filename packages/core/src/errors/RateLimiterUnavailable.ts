import type * as Cause from "effect/Cause"
import * as Schema from "effect/Schema"
import { Endpoints } from "../model/Endpoint.js"

/** When to ask a limiter that could not answer again. */
const RETRY_AFTER_MS = { Overloaded: 10_000, Unreachable: 1_000 } as const

const RateLimiterUnavailableBase: Schema.Class<
  RateLimiterUnavailable,
  Schema.TaggedStruct<
    "RateLimiterUnavailable",
    {
      readonly reason: Schema.Literals<readonly ["Overloaded", "Unreachable"]>
      readonly endpoint: Schema.Literals<typeof Endpoints>
      readonly detail: Schema.String
    }
  >,
  Cause.YieldableError
> = Schema.TaggedError<RateLimiterUnavailable>()("RateLimiterUnavailable", {
  reason: Schema.Literals(["Overloaded", "Unreachable"]),
  endpoint: Schema.Literals(Endpoints),
  detail: Schema.String,
})

/**
 * The rate limiter could not decide (the gateway's quota Durable Object was overloaded, or
 * could not be reached): no slot was reserved and nothing was sent. An `Unreachable`
 * limiter (reset, moved, a broken connection) is worth asking again soon — `retryable`,
 * after `retryAfterMs` = 1 s; an `Overloaded` one must be left alone for a while
 * (10 s): retrying would only deepen the overload. Both are derived from `reason`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import type { CallError } from "@voicepartner/core"
 *
 * declare const program: Effect.Effect<void, CallError>
 * const patient = program.pipe(
 *   Effect.catchTag("RateLimiterUnavailable", (e) =>
 *     e.retryable ? Effect.andThen(Effect.sleep(e.retryAfterMs), program) : Effect.fail(e),
 *   ),
 * )
 * ```
 */
export class RateLimiterUnavailable extends RateLimiterUnavailableBase {
  /** Only an unreachable limiter may be asked again at once; an overloaded one may not. */
  get retryable(): boolean {
    return this.reason === "Unreachable"
  }

  /** How long to wait before asking again. */
  get retryAfterMs(): number {
    return RETRY_AFTER_MS[this.reason]
  }

  override get message(): string {
    return `Rate limiter for ${this.endpoint} unavailable (${this.reason}): nothing was sent; ${this.detail}`
  }
}
