import type { Endpoint } from "../model/Endpoint.js"
import type { RateLimitPolicy, RateLimitWindow } from "./RateLimitPolicy.js"
import { earliestAdmission } from "./slidingLog.js"

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
  expectedAt: number
}

/**
 * The turn-taking of shared (broadcast) admissions, given to a `QuotaMachine` that serves
 * broadcasts (the gateway's quota object): a shared slot is free now within the windows
 * less their reserve — single sends keep theirs, and are never queued behind a broadcast,
 * since a shared slot is never reserved ahead — and goes to a client only when no other
 * waiting client has had fewer, so that the broadcasts of several clients take turns
 * however many each runs. A module of its own: an in-process limiter never carries it.
 *
 * @example
 * ```ts
 * import { defaultPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
 * import { QuotaMachine } from "@voicepartner/core/ratelimit/QuotaMachine"
 * const machine = new QuotaMachine(defaultPolicy, {
 *   sharing: new SharedSlots(defaultPolicy, { "campaign/send": [1, 100] }),
 * })
 * machine.acquire("campaign/send", Date.now(), 0, { client: "billing" }).admitted // true
 * ```
 */
export class SharedSlots {
  private readonly windows = new Map<Endpoint, ReadonlyArray<RateLimitWindow>>()
  private readonly turns = new Map<Endpoint, Map<string, ShareTurn>>()

  constructor(policy: RateLimitPolicy, reserve: QuotaReserve = {}) {
    for (const endpoint of Object.keys(policy) as Array<Endpoint>)
      this.windows.set(
        endpoint,
        policy[endpoint].map((w, i) => ({
          ...w,
          limit: Math.max(0, w.limit - (reserve[endpoint]?.[i] ?? 0)),
        })),
      )
  }

  /**
   * Whether `client` may take a shared slot of `endpoint` now, given the admission log and
   * block: `{ at }` (the caller admits it) or `{ retryAt }` (when to ask again).
   */
  decide(
    endpoint: Endpoint,
    log: ReadonlyArray<number>,
    blockedUntil: number,
    now: number,
    client: string,
  ): { readonly at: number } | { readonly retryAt: number } {
    const turns = this.turns.get(endpoint) ?? new Map<string, ShareTurn>()
    this.turns.set(endpoint, turns)
    // Clients that stopped asking (done, paused) no longer take turns.
    for (const [other, turn] of turns) if (now > turn.expectedAt + GRACE_MS) turns.delete(other)
    let turn = turns.get(client)
    if (turn === undefined) {
      // A newcomer starts level with the others: it neither waits for them nor starves them.
      let level = Number.POSITIVE_INFINITY
      for (const other of turns.values()) level = Math.min(level, other.granted)
      turn = { granted: Number.isFinite(level) ? level : 0, expectedAt: now }
      turns.set(client, turn)
    }
    const at = earliestAdmission(log, this.windows.get(endpoint) ?? [], now, blockedUntil)
    const mine = turn
    const refuse = (retryAt: number) => {
      const when = Math.max(at, retryAt, now + 1)
      mine.expectedAt = when
      return { retryAt: when }
    }
    // Never reserved ahead: the log only admits after its last entry, so a reservation to
    // come would keep a single send from taking a slot before it.
    if (at === Number.POSITIVE_INFINITY || at > now) return refuse(at)
    // Another waiting client that has had fewer shared slots goes first.
    for (const [other, theirs] of turns)
      if (other !== client && theirs.granted < mine.granted) return refuse(theirs.expectedAt + 1)
    mine.granted++
    mine.expectedAt = at
    return { at }
  }
}
