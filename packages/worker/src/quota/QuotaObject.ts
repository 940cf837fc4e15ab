import { DurableObject } from "cloudflare:workers"
import { type Endpoint, Endpoints } from "@voicepartner/core/model/Endpoint"
import type { RateLimitPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import {
  earliestAdmission,
  prune,
  refusalReason,
  windowStates,
} from "@voicepartner/core/ratelimit/slidingLog"
import { ratePolicy } from "../config/policyOverride.js"
import type { Env } from "../env.js"
import type { QuotaDecision, QuotaState } from "./QuotaState.js"

/**
 * The quota of one upstream account, shared by every isolate of the gateway. It applies
 * core's sliding-log policy to an admission log kept in SQLite: a Durable Object handles
 * one call at a time and its storage writes are atomic with the answer, so two isolates
 * can never take the same slot, and a restart or an eviction forgets nothing.
 *
 * @example
 * ```ts
 * const quota = env.QUOTA.get(env.QUOTA.idFromName(accountId))
 * const decision = await quota.acquire("campaign/send", 0)
 * ```
 */
export class QuotaObject extends DurableObject<Env> {
  private readonly policy: RateLimitPolicy
  private readonly logs = new Map<Endpoint, Array<number>>()
  private readonly blocked = new Map<Endpoint, number>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const configured = ratePolicy(env.RATE_LIMIT_POLICY)
    // The gateway refuses to start on a bad policy (GatewayConfig); never admit more here.
    if ("problem" in configured) throw new Error(configured.problem)
    this.policy = configured.policy
    const sql = ctx.storage.sql
    sql.exec(`CREATE TABLE IF NOT EXISTS admissions (endpoint TEXT NOT NULL, at INTEGER NOT NULL)`)
    sql.exec(`CREATE INDEX IF NOT EXISTS admissions_by_time ON admissions (endpoint, at)`)
    sql.exec(
      `CREATE TABLE IF NOT EXISTS blocks (endpoint TEXT PRIMARY KEY, until INTEGER NOT NULL)`,
    )
    for (const endpoint of Endpoints) this.logs.set(endpoint, [])
    for (const row of sql.exec<{ endpoint: string; at: number }>(
      `SELECT endpoint, at FROM admissions ORDER BY at`,
    )) {
      const log = this.logs.get(row.endpoint as Endpoint)
      if (log !== undefined) log.push(row.at)
    }
    for (const row of sql.exec<{ endpoint: string; until: number }>(
      `SELECT endpoint, until FROM blocks`,
    )) {
      this.blocked.set(row.endpoint as Endpoint, row.until)
    }
  }

  /**
   * Reserves the earliest slot the policy allows, if it is at most `maxWaitMs` away;
   * otherwise reserves nothing and says when to come back.
   */
  acquire(endpoint: Endpoint, maxWaitMs: number): QuotaDecision {
    const now = Date.now()
    const windows = this.policy[endpoint]
    const log = this.pruned(endpoint, now)
    const blockedUntil = this.blocked.get(endpoint) ?? 0
    const at = earliestAdmission(log, windows, now, blockedUntil)
    if (at - now > maxWaitMs) {
      return {
        admitted: false,
        reason: refusalReason(at, blockedUntil, now),
        retryAfterMs: at - now,
        state: this.state(endpoint, log, now),
      }
    }
    // earliestAdmission never answers before the last admission: the log stays sorted.
    log.push(at)
    this.ctx.storage.sql.exec(`INSERT INTO admissions (endpoint, at) VALUES (?, ?)`, endpoint, at)
    return { admitted: true, at, state: this.state(endpoint, log, now) }
  }

  /**
   * Gives back a slot reserved for `at` that will not be used (the caller left while
   * waiting for it). One admission at that instant is removed; none if it is gone.
   */
  release(endpoint: Endpoint, at: number): QuotaState {
    const now = Date.now()
    const log = this.pruned(endpoint, now)
    const index = log.lastIndexOf(at)
    if (index >= 0) {
      log.splice(index, 1)
      this.ctx.storage.sql.exec(
        `DELETE FROM admissions WHERE rowid = (
           SELECT rowid FROM admissions WHERE endpoint = ? AND at = ? LIMIT 1)`,
        endpoint,
        at,
      )
    }
    return this.state(endpoint, log, now)
  }

  /** The upstream answered 429: nothing goes out for this endpoint before `untilMs`. */
  block(endpoint: Endpoint, untilMs: number): QuotaState {
    const until = Math.max(this.blocked.get(endpoint) ?? 0, untilMs)
    this.blocked.set(endpoint, until)
    this.ctx.storage.sql.exec(
      `INSERT INTO blocks (endpoint, until) VALUES (?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET until = excluded.until`,
      endpoint,
      until,
    )
    const now = Date.now()
    return this.state(endpoint, this.pruned(endpoint, now), now)
  }

  /** The endpoint's windows right now, without reserving anything. */
  snapshot(endpoint: Endpoint): QuotaState {
    const now = Date.now()
    return this.state(endpoint, this.pruned(endpoint, now), now)
  }

  private pruned(endpoint: Endpoint, now: number): Array<number> {
    const windows = this.policy[endpoint]
    const before = this.logs.get(endpoint) ?? []
    const kept = prune(before, windows, now)
    if (kept === before) return before
    const log = [...kept]
    this.logs.set(endpoint, log)
    this.ctx.storage.sql.exec(
      `DELETE FROM admissions WHERE endpoint = ? AND at < ?`,
      endpoint,
      log[0] ?? now,
    )
    return log
  }

  private state(endpoint: Endpoint, log: ReadonlyArray<number>, now: number): QuotaState {
    const blockedUntil = this.blocked.get(endpoint) ?? 0
    return {
      endpoint,
      now,
      windows: windowStates(log, this.policy[endpoint], now),
      blockedUntil: blockedUntil > now ? blockedUntil : 0,
    }
  }
}
