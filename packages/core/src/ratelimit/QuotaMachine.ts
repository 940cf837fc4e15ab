import type { RateLimitedError } from "../errors/RateLimitedError.js"
import { type Endpoint, Endpoints } from "../model/Endpoint.js"
import type { RateLimitSnapshot } from "./RateLimiter.js"
import { horizonMs, type RateLimitPolicy, type RateLimitWindow } from "./RateLimitPolicy.js"
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

/**
 * Slots each window keeps from shared (broadcast) admissions, per endpoint and in the
 * order of the policy's windows: `{ "campaign/send": [1, 100] }` leaves 1 of 5 a minute
 * and 100 of 2,000 an hour to single sends.
 */
export type QuotaReserve = Partial<Record<Endpoint, ReadonlyArray<number>>>

/** A shared (broadcast) request for a slot: whose turn it is decides, not who asks first. */
export interface ShareRequest {
  /** The client the broadcast belongs to: shared slots go round-robin by client. */
  readonly client: string
}

/** How late a client may come back (after the instant it was told) and still be waiting. */
const GRACE_MS = 5_000

/** A client's turn-taking: shared slots granted, and when it is expected to ask again. */
interface ShareTurn {
  granted: number
  /** When it was told to come back (or when its slot comes): it waits until then + grace. */
  expectedAt: number
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
  /** The windows shared admissions see: each limit less its reserve. */
  readonly sharedWindows: ReadonlyArray<RateLimitWindow>
  /** The clients taking turns at shared slots. */
  readonly turns: Map<string, ShareTurn>
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

  constructor(
    policy: RateLimitPolicy,
    options: {
      readonly rows?: QuotaRows
      readonly journal?: QuotaJournal
      readonly reserve?: QuotaReserve
    } = {},
  ) {
    this.journal = options.journal
    for (const endpoint of Endpoints) {
      const windows = policy[endpoint]
      this.lanes.set(endpoint, {
        endpoint,
        windows,
        horizonMs: horizonMs(windows),
        compactAt: 2 * windows.reduce((max, w) => Math.max(max, w.limit), 1),
        log: [],
        blockedUntil: 0,
        sharedWindows: windows.map((w, i) => ({
          ...w,
          limit: Math.max(0, w.limit - (options.reserve?.[endpoint]?.[i] ?? 0)),
        })),
        turns: new Map(),
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
    if (share !== undefined) return this.acquireShared(lane, now, maxWaitMs, share)
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

  /**
   * A shared slot: free now within the windows less their reserve (single sends keep
   * theirs, and are never queued behind a broadcast), and only when no other waiting
   * client has had fewer shared slots — so that the broadcasts of several clients take
   * turns, however many each runs. A refusal says when to ask again.
   */
  private acquireShared(
    lane: Lane,
    now: number,
    maxWaitMs: number,
    share: ShareRequest,
  ): QuotaDecision {
    // Clients that stopped asking (done, paused) no longer take turns.
    for (const [client, turn] of lane.turns)
      if (now > turn.expectedAt + GRACE_MS) lane.turns.delete(client)
    let mine = lane.turns.get(share.client)
    if (mine === undefined) {
      // A newcomer starts level with the others: it neither waits for them nor starves them.
      let level = Number.POSITIVE_INFINITY
      for (const turn of lane.turns.values()) level = Math.min(level, turn.granted)
      mine = { granted: Number.isFinite(level) ? level : 0, expectedAt: now }
      lane.turns.set(share.client, mine)
    }
    const turn = mine
    const at = earliestAdmission(lane.log, lane.sharedWindows, now, lane.blockedUntil)
    const refuse = (retryAt: number): QuotaDecision => {
      const when = Math.max(at, retryAt, now + 1)
      turn.expectedAt = when
      return {
        admitted: false,
        reason: refusalReason(when, lane.blockedUntil, now),
        retryAfterMs: when - now,
        state: this.state(lane, now),
      }
    }
    // Shared slots are never reserved ahead: a reservation to come would keep a single
    // send from taking a slot before it (the log only admits after its last entry).
    if (at === Number.POSITIVE_INFINITY || at > now || maxWaitMs < 0) return refuse(at)
    // Another waiting client that has had fewer shared slots goes first.
    for (const [client, other] of lane.turns)
      if (client !== share.client && other.granted < turn.granted)
        return refuse(other.expectedAt + 1)
    lane.log.push(at)
    this.journal?.admitted(lane.endpoint, at)
    turn.granted++
    turn.expectedAt = at
    return { admitted: true, at, state: this.state(lane, now) }
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
