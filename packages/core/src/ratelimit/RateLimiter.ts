import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { RateLimitedError } from "../errors/RateLimitedError.js"
import type { RateLimiterUnavailable } from "../errors/RateLimiterUnavailable.js"
import type { Endpoint } from "../model/Endpoint.js"
import { QuotaMachine } from "./QuotaMachine.js"
import { defaultPolicy, type RateLimitPolicy } from "./RateLimitPolicy.js"
import type { WindowState } from "./slidingLog.js"

/** A slot granted by the limiter: the call may go out at `at` (epoch ms), not before. */
export interface Reservation {
  readonly endpoint: Endpoint
  readonly at: number
}

/** The limiter's view of an endpoint, for `RateLimit` headers and ETAs. */
export interface RateLimitSnapshot {
  readonly endpoint: Endpoint
  readonly windows: ReadonlyArray<WindowState>
  /** No admission before this instant (after an upstream 429); 0 when not blocked. */
  readonly blockedUntil: number
}

const RateLimiterBase: Context.ServiceClass<
  RateLimiter,
  "@voicepartner/core/RateLimiter",
  {
    /**
     * Reserves the earliest slot allowed by the policy. Fails with `RateLimitedError`
     * (reserving nothing) when that slot is more than `maxWaitMs` away, and with
     * `RateLimiterUnavailable` (reserving nothing, sending nothing) when a remote limiter
     * could not decide; the in-memory limiter never does.
     */
    readonly acquire: (
      endpoint: Endpoint,
      options?: { readonly maxWaitMs?: number | undefined },
    ) => Effect.Effect<Reservation, RateLimitedError | RateLimiterUnavailable>
    /**
     * Gives back a reservation that will not be used (its caller left while waiting for
     * the slot): the slot is free for others again. Give each reservation back once:
     * every call frees one slot at its instant.
     */
    readonly release: (reservation: Reservation) => Effect.Effect<void>
    /** No admission before `untilMs`: the upstream answered 429. */
    readonly block: (endpoint: Endpoint, untilMs: number) => Effect.Effect<void>
    readonly snapshot: (endpoint: Endpoint) => Effect.Effect<RateLimitSnapshot>
  }
> = Context.Service<RateLimiter, RateLimiter["Service"]>()("@voicepartner/core/RateLimiter")

/**
 * Admits upstream calls so that Voice Partner's limits are never exceeded. A slot is
 * reserved atomically before the request goes out; retries reserve again. Implemented
 * in memory here ({@link RateLimiter.memory}) and by the gateway's Durable Object across
 * all its isolates, both over the same {@link QuotaMachine}: everything returns Effects
 * so both fit this interface.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { RateLimiter, waitForReservation } from "@voicepartner/core"
 *
 * const program = Effect.gen(function* () {
 *   const limiter = yield* RateLimiter
 *   const slot = yield* limiter.acquire("campaign/send", { maxWaitMs: 60_000 })
 *   yield* waitForReservation(slot)
 * }).pipe(Effect.provide(RateLimiter.memory()))
 * ```
 */
export class RateLimiter extends RateLimiterBase {
  /**
   * An exact in-memory limiter (library and CLI): one per process and API key.
   *
   * @example
   * ```ts
   * import * as Effect from "effect/Effect"
   * import { defaultPolicy, RateLimiter } from "@voicepartner/core"
   *
   * const fewerTts = RateLimiter.memory({
   *   ...defaultPolicy,
   *   "tts/send": [{ limit: 100, windowMs: 3_600_000 }],
   * })
   * const slot = await Effect.runPromise(
   *   Effect.gen(function* () {
   *     const limiter = yield* RateLimiter
   *     return yield* limiter.acquire("tts/send")
   *   }).pipe(Effect.provide(fewerTts)),
   * )
   * ```
   */
  static memory(policy: RateLimitPolicy = defaultPolicy): Layer.Layer<RateLimiter> {
    return Layer.effect(RateLimiter, makeMemoryRateLimiter(policy))
  }
}

/**
 * Builds the in-memory limiter service (exposed for composing custom layers): a thin
 * Effect face on a {@link QuotaMachine} read at the `Clock`'s time. Each decision runs
 * synchronously inside one Effect step, so it is atomic for every fiber of the runtime.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { defaultPolicy, makeMemoryRateLimiter } from "@voicepartner/core"
 *
 * const slot = Effect.gen(function* () {
 *   const limiter = yield* makeMemoryRateLimiter(defaultPolicy)
 *   return yield* limiter.acquire("me")
 * })
 * ```
 */
export const makeMemoryRateLimiter = (
  policy: RateLimitPolicy,
): Effect.Effect<RateLimiter["Service"]> =>
  Effect.sync(() => {
    const machine = new QuotaMachine(policy)
    return RateLimiter.of({
      acquire: (endpoint, options) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const decision = machine.acquire(endpoint, now, options?.maxWaitMs)
          return decision.admitted
            ? Effect.succeed<Reservation>({ endpoint, at: decision.at })
            : Effect.fail(
                new RateLimitedError({
                  reason: decision.reason,
                  endpoint,
                  retryAfterMs: decision.retryAfterMs,
                }),
              )
        }),
      release: ({ endpoint, at }) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          machine.release(endpoint, at, now)
        }),
      block: (endpoint, untilMs) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          machine.block(endpoint, untilMs, now)
        }),
      snapshot: (endpoint) =>
        Effect.map(Clock.currentTimeMillis, (now) => machine.snapshot(endpoint, now)),
    })
  })

/**
 * Sleeps (through `Clock`, so `TestClock` drives it) until a reservation's instant.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { RateLimiter, waitForReservation } from "@voicepartner/core"
 *
 * const sendWhenFree = Effect.gen(function* () {
 *   const limiter = yield* RateLimiter
 *   yield* waitForReservation(yield* limiter.acquire("tts/send"))
 * })
 * ```
 */
export const waitForReservation = (reservation: Reservation): Effect.Effect<void> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    reservation.at > now ? Effect.sleep(reservation.at - now) : Effect.void,
  )

/**
 * When the next slot frees, read from a snapshot (a full window frees one slot when its
 * oldest counted admission leaves it).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { nextSlotAt, RateLimiter } from "@voicepartner/core"
 *
 * const freeAt = Effect.gen(function* () {
 *   const limiter = yield* RateLimiter
 *   return nextSlotAt(yield* limiter.snapshot("campaign/send"), Date.now())
 * })
 * ```
 */
export const nextSlotAt = (snapshot: RateLimitSnapshot, now: number): number =>
  snapshot.windows.reduce(
    (at, w) => (w.remaining === 0 ? Math.max(at, w.resetAt) : at),
    Math.max(now, snapshot.blockedUntil),
  )
