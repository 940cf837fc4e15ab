import { RateLimitedError } from "@voicepartner/core/errors/RateLimitedError"
import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import { RateLimiter } from "@voicepartner/core/ratelimit/RateLimiter"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { QuotaObject } from "./QuotaObject.js"
import type { QuotaDecision, QuotaState } from "./QuotaState.js"
import { isolateRefusals, type RefusalCache } from "./refusalCache.js"

/** The quota said no: final for this request, the caller gets a 429 and comes back later. */
export const quotaRefusal = (
  endpoint: Endpoint,
  reason: RateLimitedError["reason"],
  retryAfterMs: number,
): RateLimitedError => new RateLimitedError({ reason, endpoint, retryAfterMs, retryable: false })

/**
 * Core's `RateLimiter` backed by the account's {@link QuotaObject}, so that core's
 * transport (validation, retry, redaction) runs unchanged in the gateway. `observe`
 * receives every state the Durable Object reports, for the `RateLimit` fields. Refusals
 * that are certain are answered from the isolate's {@link RefusalCache} without a call. A
 * Durable Object failure is a defect: the call is not sent and the gateway answers 503.
 *
 * @example
 * ```ts
 * const limiter = makeDurableRateLimiter(env.QUOTA.get(id), (state) => { last = state }, accountId)
 * Effect.provideService(program, RateLimiter, limiter)
 * ```
 */
export const makeDurableRateLimiter = (
  quota: DurableObjectStub<QuotaObject>,
  observe: (state: QuotaState) => void,
  account: string,
  refusals: RefusalCache = isolateRefusals,
): RateLimiter["Service"] => {
  const seen = (state: QuotaState) => {
    refusals.learn(account, state)
    observe(state)
  }
  const refused = (endpoint: Endpoint, reason: RateLimitedError["reason"], retryAfterMs: number) =>
    Effect.fail(quotaRefusal(endpoint, reason, retryAfterMs))
  return RateLimiter.of({
    acquire: (endpoint, options) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const maxWaitMs = options?.maxWaitMs ?? 0
        const known = refusals.refusal(account, endpoint, now, maxWaitMs)
        if (known !== undefined) {
          observe(known.state)
          return refused(endpoint, known.reason, known.retryAfterMs)
        }
        return Effect.flatMap(
          Effect.promise(
            async (): Promise<QuotaDecision> => await quota.acquire(endpoint, maxWaitMs),
          ),
          (decision) => {
            seen(decision.state)
            return decision.admitted
              ? Effect.succeed({ endpoint, at: decision.at })
              : refused(endpoint, decision.reason, decision.retryAfterMs)
          },
        )
      }),
    release: ({ endpoint, at }) =>
      Effect.map(
        Effect.promise(() => quota.release(endpoint, at)),
        (state) => seen(state),
      ),
    block: (endpoint, untilMs) =>
      Effect.map(
        Effect.promise(() => quota.block(endpoint, untilMs)),
        (state) => seen(state),
      ),
    snapshot: (endpoint) =>
      Effect.map(
        Effect.promise(() => quota.snapshot(endpoint)),
        (state) => {
          seen(state)
          return { endpoint, windows: state.windows, blockedUntil: state.blockedUntil }
        },
      ),
  })
}
