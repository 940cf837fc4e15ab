import { RateLimitedError } from "@voicepartner/core/errors/RateLimitedError"
import { RateLimiter } from "@voicepartner/core/ratelimit/RateLimiter"
import * as Effect from "effect/Effect"
import type { QuotaObject } from "./QuotaObject.js"
import type { QuotaDecision, QuotaState } from "./QuotaState.js"

/**
 * Core's `RateLimiter` backed by the account's {@link QuotaObject}, so that core's
 * transport (validation, retry, redaction) runs unchanged in the gateway. `observe`
 * receives every state the Durable Object reports, for the `RateLimit` fields. A
 * Durable Object failure is a defect: the call is not sent and the gateway answers 503.
 *
 * @example
 * ```ts
 * const limiter = makeDurableRateLimiter(env.QUOTA.get(id), (state) => { last = state })
 * Effect.provideService(program, RateLimiter, limiter)
 * ```
 */
export const makeDurableRateLimiter = (
  quota: DurableObjectStub<QuotaObject>,
  observe: (state: QuotaState) => void,
): RateLimiter["Service"] =>
  RateLimiter.of({
    acquire: (endpoint, options) =>
      Effect.flatMap(
        Effect.promise(
          async (): Promise<QuotaDecision> =>
            await quota.acquire(endpoint, options?.maxWaitMs ?? 0),
        ),
        (decision) => {
          observe(decision.state)
          return decision.admitted
            ? Effect.succeed({ endpoint, at: decision.at })
            : Effect.fail(
                new RateLimitedError({
                  reason: decision.reason,
                  endpoint,
                  retryAfterMs: decision.retryAfterMs,
                  // Final for this request: the caller gets a 429 and comes back later.
                  retryable: false,
                }),
              )
        },
      ),
    block: (endpoint, untilMs) =>
      Effect.map(
        Effect.promise(() => quota.block(endpoint, untilMs)),
        (state) => observe(state),
      ),
    snapshot: (endpoint) =>
      Effect.map(
        Effect.promise(() => quota.snapshot(endpoint)),
        (state) => {
          observe(state)
          return { endpoint, windows: state.windows, blockedUntil: state.blockedUntil }
        },
      ),
  })
