import { RateLimitedError } from "@voicepartner/core/errors/RateLimitedError"
import { RateLimiterUnavailable } from "@voicepartner/core/errors/RateLimiterUnavailable"
import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import type { Reservation } from "@voicepartner/core/ratelimit/RateLimiter"
import type { ShareRequest } from "@voicepartner/core/ratelimit/SharedSlots"
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
): RateLimitedError => new RateLimitedError({ reason, endpoint, retryAfterMs })

/**
 * A call to the quota object that threw: no decision, so no slot and nothing sent.
 * workerd marks the errors of an object that cannot keep up `overloaded` (not to be
 * retried); any other (`retryable` after a reset or a move, a broken connection, an
 * exception in the object) is `Unreachable`.
 *
 * @example
 * ```ts
 * quotaUnavailable("tts/send", Object.assign(new Error("Durable Object is overloaded."), { overloaded: true }))
 * // RateLimiterUnavailable { reason: "Overloaded", retryable: false, retryAfterMs: 10_000 }
 * ```
 */
export const quotaUnavailable = (endpoint: Endpoint, error: unknown): RateLimiterUnavailable => {
  const overloaded =
    typeof error === "object" &&
    error !== null &&
    (error as { readonly overloaded?: unknown }).overloaded === true
  const detail = error instanceof Error ? error.message : String(error)
  return new RateLimiterUnavailable({
    reason: overloaded ? "Overloaded" : "Unreachable",
    endpoint,
    detail: detail.slice(0, 200),
  })
}

/** The decision as core's limiter answers it: the reservation, or the refusal. */
export const admission = (
  endpoint: Endpoint,
  decision: QuotaDecision,
): Effect.Effect<Reservation, RateLimitedError> =>
  decision.admitted
    ? Effect.succeed({ endpoint, at: decision.at })
    : Effect.fail(quotaRefusal(endpoint, decision.reason, decision.retryAfterMs))

/**
 * The account's {@link QuotaObject} as Effects whose values are its answers — each with
 * the state it leaves, for the `RateLimit` fields — and whose one failure is
 * `RateLimiterUnavailable`, when the object could not answer.
 */
export interface DurableQuota {
  readonly acquire: (
    endpoint: Endpoint,
    maxWaitMs: number,
    share?: ShareRequest,
  ) => Effect.Effect<QuotaDecision, RateLimiterUnavailable>
  readonly release: (
    endpoint: Endpoint,
    at: number,
  ) => Effect.Effect<QuotaState, RateLimiterUnavailable>
  readonly block: (
    endpoint: Endpoint,
    untilMs: number,
  ) => Effect.Effect<QuotaState, RateLimiterUnavailable>
  readonly snapshot: (endpoint: Endpoint) => Effect.Effect<QuotaState, RateLimiterUnavailable>
}

/**
 * The quota object behind a stub. Refusals that are certain are answered from the
 * isolate's {@link RefusalCache} without a call (same decision, same state), and every
 * state the object reports teaches the cache.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import type { GatewayConfig } from "../config/GatewayConfig.js"
 * import type { Env } from "../env.js"
 * import { quotaStub } from "./quotaStub.js"
 *
 * declare const env: Env
 * declare const config: GatewayConfig
 * const quota = durableQuota(quotaStub(env, config), config.accountId)
 * const decision = await Effect.runPromise(quota.acquire("campaign/send", 0))
 * decision.state.windows // admitted or refused, the state it left
 * ```
 */
export const durableQuota = (
  stub: DurableObjectStub<QuotaObject>,
  account: string,
  refusals: RefusalCache = isolateRefusals,
): DurableQuota => {
  const ask = <A>(
    endpoint: Endpoint,
    call: () => Promise<A>,
    stateOf: (answer: A) => QuotaState,
  ): Effect.Effect<A, RateLimiterUnavailable> =>
    Effect.tryPromise({
      try: call,
      catch: (error) => quotaUnavailable(endpoint, error),
    }).pipe(Effect.tap((answer) => Effect.sync(() => refusals.learn(account, stateOf(answer)))))
  const itself = (state: QuotaState) => state
  return {
    acquire: (endpoint, maxWaitMs, share) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const known = refusals.refusal(account, endpoint, now, maxWaitMs)
        if (known !== undefined) return Effect.succeed<QuotaDecision>({ admitted: false, ...known })
        return ask(
          endpoint,
          async (): Promise<QuotaDecision> => await stub.acquire(endpoint, maxWaitMs, share),
          (decision) => decision.state,
        )
      }),
    release: (endpoint, at) =>
      ask(endpoint, async (): Promise<QuotaState> => await stub.release(endpoint, at), itself),
    block: (endpoint, untilMs) =>
      ask(endpoint, async (): Promise<QuotaState> => await stub.block(endpoint, untilMs), itself),
    snapshot: (endpoint) =>
      ask(endpoint, async (): Promise<QuotaState> => await stub.snapshot(endpoint), itself),
  }
}
