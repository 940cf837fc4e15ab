import type { RateLimitedError } from "../errors/RateLimitedError.js"
import { type Endpoint, Endpoints } from "../model/Endpoint.js"
import type { RateLimitSnapshot } from "./RateLimiter.js"
import { horizonMs, type RateLimitPolicy, type RateLimitWindow } from "./RateLimitPolicy.js"
import type { SharedSlots, ShareRequest } from "./SharedSlots.js"
import { earliestAdmission, firstAfter, refusalReason, windowStates } from "./slidingLog.js"

/** An endpoint's quota at the instant `now` of a decision: for `RateLimit` fields and ETAs. */
export interface QuotaState extends RateLimitSnapshot {
  /** The instant the state describes (epoch ms). */
  readonly now: number
}

/** The answer to a request for a slot, with the state it leaves. */
export type QuotaDecision =
  | {
      readonly admitted: true
      /** The call may go out at `at` (epoch ms), not before. */
      readonly at: number
      readonly state: QuotaState
    }
  | {
      readonly admitted: false
      readonly reason: RateLimitedError["reason"]
      /** When a slot the caller could take will be free, from `state.now`. */
      readonly retryAfterMs: number
      readonly state: QuotaState
    }

/**
 * What changed in the machine, told synchronously during the call that changed it, so a
 * store (the gateway's SQLite) applies exactly these rows in the same step.
 */
export interface QuotaJournal {
  /** One admission at `at` was added. */
  readonly admitted: (endpoint: Endpoint, at: number) => void
  /** One admission at `at` was given back (removed). */
  readonly released: (endpoint: Endpoint, at: number) => void
  /** Every admission at or before `through` was dropped: too old to count in any window. */
  readonly pruned: (endpoint: Endpoint, through: number) => void
  /** The endpoint admits nothing before `until` (the new, later, block). */
  readonly blocked: (endpoint: Endpoint, until: number) => void
}

/** Persisted rows to start from (any order; rows of endpoints the policy lacks are ignored). */
export interface QuotaRows {
  readonly admissions?: Iterable<{ readonly endpoint: string; readonly at: number }>
  readonly blocks?: Iterable<{ readonly endpoint: string; readonly until: number }>
}

interface Lane {
  readonly endpoint: Endpoint
  readonly windows: ReadonlyArray<RateLimitWindow>
  readonly horizonMs: number
  /** Compact once the log holds more than this many admissions. */
  readonly compactAt: number
  /** Admissions, oldest first, future reservations included; expired ones until compaction. */
  readonly log: Array<number>
  blockedUntil: number
}

/**
 * The exact sliding-log limiter as a state machine: per endpoint, an admission log and an
 * upstream block. Pure and synchronous (no Effect, no clock: every call takes `now`), so
 * that core's in-memory `RateLimiter` and the gateway's quota Durable Object run the
 * same decisions; the object restores the machine from its rows and persists what the
 * {@link QuotaJournal} reports. Every answer carries the state the call left.
 *
 * Expired admissions never change a decision (the log compares instants), so they are
 * dropped only once a log holds twice its largest limit: a decision costs the same with 5
 * admissions or 2,000, and a store deletes old rows in batches.
 *
 * @example
 * ```ts
 * import { QuotaMachine } from "@voicepartner/core/ratelimit/QuotaMachine"
 * import { defaultPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
 *
 * const machine = new QuotaMachine(defaultPolicy)
 * const decision = machine.acquire("campaign/send", Date.now(), 0)
 * if (decision.admitted) machine.release("campaign/send", decision.at, Date.now())
 * ```
 */
export class QuotaMachine {
  private readonly lanes = new Map<Endpoint, Lane>()
  private readonly journal: QuotaJournal | undefined
  private readonly sharing: SharedSlots | undefined

  constructor(
    policy: RateLimitPolicy,
    options: {
      readonly rows?: QuotaRows
      readonly journal?: QuotaJournal
      /** Shared (broadcast) admissions; without it, `acquire` with a share refuses. */
      readonly sharing?: SharedSlots
    } = {},
  ) {
    this.journal = options.journal
    this.sharing = options.sharing
    for (const endpoint of Endpoints) {
      const windows = policy[endpoint]
      this.lanes.set(endpoint, {
        endpoint,
        windows,
        horizonMs: horizonMs(windows),
        compactAt: 2 * windows.reduce((max, w) => Math.max(max, w.limit), 1),
        log: [],
        blockedUntil: 0,
      })
    }
    const { admissions = [], blocks = [] } = options.rows ?? {}
    for (const { endpoint, at } of admissions) this.lanes.get(endpoint as Endpoint)?.log.push(at)
    for (const { endpoint, until } of blocks) {
      const lane = this.lanes.get(endpoint as Endpoint)
      if (lane !== undefined) lane.blockedUntil = Math.max(lane.blockedUntil, until)
    }
    for (const lane of this.lanes.values()) lane.log.sort((a, b) => a - b)
  }

  /**
   * Reserves the earliest slot the windows and the block allow, if it is at most
   * `maxWaitMs` after `now` (no bound by default); otherwise reserves nothing and says
   * when to come back. A window that admits nothing (`limit` 0) always refuses.
   */
  acquire(
    endpoint: Endpoint,
    now: number,
    maxWaitMs = Number.POSITIVE_INFINITY,
    share?: ShareRequest,
  ): QuotaDecision {
    const lane = this.lane(endpoint, now)
    if (share !== undefined) return this.acquireShared(lane, now, share)
    const at = earliestAdmission(lane.log, lane.windows, now, lane.blockedUntil)
    if (at - now > maxWaitMs || at === Number.POSITIVE_INFINITY) {
      return {
        admitted: false,
        reason: refusalReason(at, lane.blockedUntil, now),
        retryAfterMs: at - now,
        state: this.state(lane, now),
      }
    }
    // earliestAdmission never answers before the last admission: the log stays sorted.
    lane.log.push(at)
    this.journal?.admitted(endpoint, at)
    return { admitted: true, at, state: this.state(lane, now) }
  }

  /** A shared slot, as {@link SharedSlots} decides: admitted now, or when to ask again. */
  private acquireShared(lane: Lane, now: number, share: ShareRequest): QuotaDecision {
    const turn = this.sharing?.decide(
      lane.endpoint,
      lane.log,
      lane.blockedUntil,
      now,
      share.client,
    ) ?? {
      retryAt: Number.POSITIVE_INFINITY,
    }
    if ("retryAt" in turn)
      return {
        admitted: false,
        reason: refusalReason(turn.retryAt, lane.blockedUntil, now),
        retryAfterMs: turn.retryAt - now,
        state: this.state(lane, now),
      }
    lane.log.push(turn.at)
    this.journal?.admitted(lane.endpoint, turn.at)
    return { admitted: true, at: turn.at, state: this.state(lane, now) }
  }

  /**
   * Gives back a slot reserved for `at` that will not be used: one admission at that
   * instant is removed (none if there is none left). Each reservation is released once:
   * every call frees one slot.
   */
  release(endpoint: Endpoint, at: number, now: number): QuotaState {
    const lane = this.lane(endpoint, now)
    const index = lane.log.lastIndexOf(at)
    if (index >= 0) {
      lane.log.splice(index, 1)
      this.journal?.released(endpoint, at)
    }
    return this.state(lane, now)
  }

  /** The upstream answered 429: nothing is admitted before `until` (a block only extends). */
  block(endpoint: Endpoint, until: number, now: number): QuotaState {
    const lane = this.lane(endpoint, now)
    if (until > lane.blockedUntil) {
      lane.blockedUntil = until
      this.journal?.blocked(endpoint, until)
    }
    return this.state(lane, now)
  }

  /** The endpoint's windows at `now`, without reserving anything. */
  snapshot(endpoint: Endpoint, now: number): QuotaState {
    return this.state(this.lane(endpoint, now), now)
  }

  /** The admissions held for an endpoint, oldest first: what a store should hold. */
  admissions(endpoint: Endpoint): ReadonlyArray<number> {
    return this.laneOf(endpoint).log
  }

  private laneOf(endpoint: Endpoint): Lane {
    const lane = this.lanes.get(endpoint)
    if (lane === undefined) throw new RangeError(`no rate-limit policy for ${String(endpoint)}`)
    return lane
  }

  /** The endpoint's lane, its expired admissions dropped if the log has grown long. */
  private lane(endpoint: Endpoint, now: number): Lane {
    const lane = this.laneOf(endpoint)
    if (lane.log.length > lane.compactAt) {
      const through = now - lane.horizonMs
      const expired = firstAfter(lane.log, through)
      if (expired > 0) {
        lane.log.splice(0, expired)
        this.journal?.pruned(endpoint, through)
      }
    }
    return lane
  }

  private state(lane: Lane, now: number): QuotaState {
    return {
      endpoint: lane.endpoint,
      now,
      windows: windowStates(lane.log, lane.windows, now),
      blockedUntil: lane.blockedUntil > now ? lane.blockedUntil : 0,
    }
  }
}
