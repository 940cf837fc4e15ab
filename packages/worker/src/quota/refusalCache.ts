import type { RateLimitedError } from "@voicepartner/core/errors/RateLimitedError"
import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import { nextSlotAt } from "@voicepartner/core/ratelimit/RateLimiter"
import { refusalReason } from "@voicepartner/core/ratelimit/slidingLog"
import type { QuotaState } from "./QuotaState.js"

interface Known {
  readonly notBefore: number
  readonly reason: RateLimitedError["reason"]
  readonly state: QuotaState
}

/**
 * What this isolate has learnt from the quota object: the instant before which an
 * endpoint certainly admits nothing. It is a lower bound for everyone — a sliding log
 * only frees slots as time passes, other isolates' admissions only push the next slot
 * later, and a block only extends — so a request that could not wait until then is
 * refused here, exactly as the object would refuse it, without calling it. Admissions
 * are still decided by the object alone. This keeps a flood of over-quota requests from
 * queueing on the one object that every send needs. One exception frees a slot early: a
 * caller that leaves while waiting gives its reservation back; another isolate may then
 * refuse until its knowledge expires — a refusal too many, never an admission too many.
 *
 * @example
 * ```ts
 * const now = Date.now() // the minute's 5 slots taken, the oldest leaves in 41 s
 * const cache = new RefusalCache()
 * cache.learn("account", {
 *   endpoint: "campaign/send",
 *   now,
 *   blockedUntil: 0,
 *   windows: [{ limit: 5, windowMs: 60_000, remaining: 0, resetAt: now + 41_000 }],
 * })
 * cache.refusal("account", "campaign/send", now, 0) // { retryAfterMs: 41000, reason: "QuotaExhausted", state: … }
 * cache.refusal("account", "campaign/send", now, 60_000) // undefined: the object decides (it may wait)
 * ```
 */
export class RefusalCache {
  private readonly known = new Map<string, Known>()

  /** Records what a state says about the next possible admission. */
  learn(account: string, state: QuotaState): void {
    const notBefore = nextSlotAt(
      { endpoint: state.endpoint, windows: state.windows, blockedUntil: state.blockedUntil },
      state.now,
    )
    const key = `${account} ${state.endpoint}`
    if (notBefore <= state.now) {
      this.known.delete(key)
      return
    }
    this.known.set(key, {
      notBefore,
      reason: refusalReason(notBefore, state.blockedUntil, state.now),
      state,
    })
  }

  /** Forgets everything (tests that wipe the quota object's storage). */
  clear(): void {
    this.known.clear()
  }

  /** The refusal the quota object would answer, when it is certain; otherwise `undefined`. */
  refusal(
    account: string,
    endpoint: Endpoint,
    now: number,
    maxWaitMs: number,
  ):
    | {
        readonly retryAfterMs: number
        readonly reason: RateLimitedError["reason"]
        readonly state: QuotaState
      }
    | undefined {
    const known = this.known.get(`${account} ${endpoint}`)
    if (known === undefined || known.notBefore - now <= maxWaitMs) return undefined
    return {
      retryAfterMs: known.notBefore - now,
      reason: known.reason,
      state: { ...known.state, now },
    }
  }
}

/** One per isolate. */
export const isolateRefusals = new RefusalCache()
