import { DurableObject } from "cloudflare:workers"
import { type Endpoint, Endpoints } from "@voicepartner/core/model/Endpoint"
import { defaultPolicy, type RateLimitPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import { earliestAdmission, prune, windowStates } from "@voicepartner/core/ratelimit/slidingLog"
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
  private readonly policy: RateLimitPolicy = defaultPolicy
  private readonly logs = new Map<Endpoint, ReadonlyArray<number>>()
  private readonly blocked = new Map<Endpoint, number>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
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
      if (log !== undefined) (log as Array<number>).push(row.at)
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
        reason: blockedUntil > now && at === blockedUntil ? "Blocked" : "QuotaExhausted",
        retryAfterMs: at - now,
        state: this.state(endpoint, log, now),
      }
    }
    const next = [...log, at].sort((a, b) => a - b)
    this.logs.set(endpoint, next)
    this.ctx.storage.sql.exec(`INSERT INTO admissions (endpoint, at) VALUES (?, ?)`, endpoint, at)
    return { admitted: true, at, state: this.state(endpoint, next, now) }
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

  private pruned(endpoint: Endpoint, now: number): ReadonlyArray<number> {
    const windows = this.policy[endpoint]
    const before = this.logs.get(endpoint) ?? []
    const log = prune(before, windows, now)
    if (log.length !== before.length) {
      this.logs.set(endpoint, log)
      const oldest = log[0] ?? now
      this.ctx.storage.sql.exec(
        `DELETE FROM admissions WHERE endpoint = ? AND at < ?`,
        endpoint,
        oldest,
      )
    }
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
