import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { RateLimitedError } from "../errors/RateLimitedError.js"
import { type Endpoint, Endpoints } from "../model/Endpoint.js"
import { defaultPolicy, type RateLimitPolicy } from "./RateLimitPolicy.js"
import {
  earliestAdmission,
  prune,
  refusalReason,
  type WindowState,
  windowStates,
} from "./slidingLog.js"

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
    /**
     * Gives back a reservation that will not be used (its caller left while waiting for
     * the slot): the slot is free for others again. Releasing twice frees one slot.
     */
    readonly release: (reservation: Reservation) => Effect.Effect<void>
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
  /** Admissions, oldest first; expired ones are dropped only now and then (see `compact`). */
  log: Array<number>
  blockedUntil: number
}

/**
 * Builds the in-memory limiter service (exposed for composing custom layers). Each
 * decision runs synchronously inside one Effect step, so it is atomic for every fiber of
 * the runtime. Expired admissions do not change a decision (the sliding log compares
 * times), so they are dropped only once the log holds twice the largest limit: an
 * acquire costs the same with 5 entries or 2,000.
 */
export const makeMemoryRateLimiter = (policy: RateLimitPolicy) =>
  Effect.sync(() => {
    const states = new Map<Endpoint, EndpointState>(
      Endpoints.map((e) => [e, { log: [], blockedUntil: 0 }]),
    )
    const stateOf = (endpoint: Endpoint, now: number): EndpointState => {
      const state = states.get(endpoint) as EndpointState
      const windows = policy[endpoint]
      const compactAt = 2 * windows.reduce((max, w) => Math.max(max, w.limit), 1)
      if (state.log.length > compactAt) state.log = [...prune(state.log, windows, now)]
      return state
    }
    return RateLimiter.of({
      acquire: (endpoint, options) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.suspend(() => {
            const windows = policy[endpoint]
            const state = stateOf(endpoint, now)
            const at = earliestAdmission(state.log, windows, now, state.blockedUntil)
            const wait = at - now
            if (options?.maxWaitMs !== undefined && wait > options.maxWaitMs) {
              return Effect.fail(
                new RateLimitedError({
                  reason: refusalReason(at, state.blockedUntil, now),
                  endpoint,
                  retryAfterMs: wait,
                  retryable: true,
                }),
              )
            }
            // earliestAdmission never answers before the last admission: still sorted.
            state.log.push(at)
            return Effect.succeed<Reservation>({ endpoint, at })
          }),
        ),
      release: ({ endpoint, at }) =>
        Effect.sync(() => {
          const state = states.get(endpoint) as EndpointState
          const index = state.log.lastIndexOf(at)
          if (index >= 0) state.log.splice(index, 1)
        }),
      block: (endpoint, untilMs) =>
        Effect.sync(() => {
          const state = states.get(endpoint) as EndpointState
          state.blockedUntil = Math.max(state.blockedUntil, untilMs)
        }),
      snapshot: (endpoint) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const state = stateOf(endpoint, now)
          return {
            endpoint,
            windows: windowStates(state.log, policy[endpoint], now),
            blockedUntil: state.blockedUntil > now ? state.blockedUntil : 0,
          }
        }),
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
