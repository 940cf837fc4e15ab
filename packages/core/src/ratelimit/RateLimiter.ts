import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { RateLimitedError } from "../errors/RateLimitedError.js"
import { type Endpoint, Endpoints } from "../model/Endpoint.js"
import { defaultPolicy, type RateLimitPolicy } from "./RateLimitPolicy.js"
import { earliestAdmission, prune, type WindowState, windowStates } from "./slidingLog.js"

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

/**
 * Admits upstream calls so that Voice Partner's limits are never exceeded. A slot is
 * reserved atomically before the request goes out; retries reserve again. Implemented
 * in memory here ({@link RateLimiter.memory}) and by the gateway's Durable Object across
 * all its isolates: everything returns Effects so both fit this interface.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function* () {
 *   const limiter = yield* RateLimiter
 *   const slot = yield* limiter.acquire("campaign/send", { maxWaitMs: 60_000 })
 *   yield* waitUntil(slot.at)
 * }).pipe(Effect.provide(RateLimiter.memory()))
 * ```
 */
export class RateLimiter extends Context.Service<
  RateLimiter,
  {
    /**
     * Reserves the earliest slot allowed by the policy. Fails with `RateLimitedError`
     * (reserving nothing) when that slot is more than `maxWaitMs` away.
     */
    readonly acquire: (
      endpoint: Endpoint,
      options?: { readonly maxWaitMs?: number | undefined },
    ) => Effect.Effect<Reservation, RateLimitedError>
    /** No admission before `untilMs`: the upstream answered 429. */
    readonly block: (endpoint: Endpoint, untilMs: number) => Effect.Effect<void>
    readonly snapshot: (endpoint: Endpoint) => Effect.Effect<RateLimitSnapshot>
  }
>()("@voicepartner/core/RateLimiter") {
  /**
   * An exact in-memory limiter (library and CLI): one per process and API key.
   *
   * @example
   * ```ts
   * Effect.provide(program, RateLimiter.memory({ ...defaultPolicy, "tts/send": [{ limit: 100, windowMs: 3_600_000 }] }))
   * ```
   */
  static memory(policy: RateLimitPolicy = defaultPolicy): Layer.Layer<RateLimiter> {
    return Layer.effect(RateLimiter, makeMemoryRateLimiter(policy))
  }
}

interface EndpointState {
  readonly log: ReadonlyArray<number>
  readonly blockedUntil: number
}

const empty: EndpointState = { log: [], blockedUntil: 0 }

/** Builds the in-memory limiter service (exposed for composing custom layers). */
export const makeMemoryRateLimiter = (policy: RateLimitPolicy) =>
  Effect.gen(function* () {
    const state = yield* Ref.make(
      Object.fromEntries(Endpoints.map((e) => [e, empty])) as Record<Endpoint, EndpointState>,
    )
    return RateLimiter.of({
      acquire: (endpoint, options) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.modify(
            state,
            (all): readonly [Reservation | RateLimitedError, Record<Endpoint, EndpointState>] => {
              const windows = policy[endpoint]
              const current = all[endpoint]
              const log = prune(current.log, windows, now)
              const at = earliestAdmission(log, windows, now, current.blockedUntil)
              const wait = at - now
              if (options?.maxWaitMs !== undefined && wait > options.maxWaitMs) {
                return [
                  new RateLimitedError({
                    reason:
                      current.blockedUntil > now && at === current.blockedUntil
                        ? "Blocked"
                        : "QuotaExhausted",
                    endpoint,
                    retryAfterMs: wait,
                    retryable: true,
                  }),
                  { ...all, [endpoint]: { ...current, log } },
                ]
              }
              return [
                { endpoint, at },
                { ...all, [endpoint]: { ...current, log: [...log, at] } },
              ]
            },
          ),
        ).pipe(
          Effect.flatMap((r) =>
            r instanceof RateLimitedError ? Effect.fail(r) : Effect.succeed(r),
          ),
        ),
      block: (endpoint, untilMs) =>
        Ref.update(state, (all) => ({
          ...all,
          [endpoint]: {
            ...all[endpoint],
            blockedUntil: Math.max(all[endpoint].blockedUntil, untilMs),
          },
        })),
      snapshot: (endpoint) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.map(Ref.get(state), (all) => ({
            endpoint,
            windows: windowStates(all[endpoint].log, policy[endpoint], now),
            blockedUntil: all[endpoint].blockedUntil > now ? all[endpoint].blockedUntil : 0,
          })),
        ),
    })
  })

/**
 * Sleeps (through `Clock`, so `TestClock` drives it) until a reservation's instant.
 *
 * @example
 * ```ts
 * yield* waitForReservation(yield* limiter.acquire("tts/send"))
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
 * nextSlotAt(yield* limiter.snapshot("campaign/send"), Date.now())
 * ```
 */
export const nextSlotAt = (snapshot: RateLimitSnapshot, now: number): number =>
  snapshot.windows.reduce(
    (at, w) => (w.remaining === 0 ? Math.max(at, w.resetAt) : at),
    Math.max(now, snapshot.blockedUntil),
  )
