import { DurableObject } from "cloudflare:workers"
import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import { type QuotaJournal, QuotaMachine } from "@voicepartner/core/ratelimit/QuotaMachine"
import { SharedSlots, type ShareRequest } from "@voicepartner/core/ratelimit/SharedSlots"
import { broadcastReserve } from "../config/broadcastReserve.js"
import { ratePolicy } from "../config/policyOverride.js"
import type { Env } from "../env.js"
import type { QuotaDecision, QuotaState } from "./QuotaState.js"

/** Applies each change of the machine to its rows, in the same synchronous step. */
const sqliteJournal = (sql: SqlStorage): QuotaJournal => ({
  admitted: (endpoint, at) => {
    sql.exec(`INSERT INTO admissions (endpoint, at) VALUES (?, ?)`, endpoint, at)
  },
  released: (endpoint, at) => {
    sql.exec(
      `DELETE FROM admissions WHERE rowid = (
         SELECT rowid FROM admissions WHERE endpoint = ? AND at = ? LIMIT 1)`,
      endpoint,
      at,
    )
  },
  pruned: (endpoint, through) => {
    sql.exec(`DELETE FROM admissions WHERE endpoint = ? AND at <= ?`, endpoint, through)
  },
  blocked: (endpoint, until) => {
    sql.exec(
      `INSERT INTO blocks (endpoint, until) VALUES (?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET until = excluded.until`,
      endpoint,
      until,
    )
  },
})

/**
 * The quota of one upstream account, shared by every isolate of the gateway: core's
 * {@link QuotaMachine} (the same decisions as the in-memory limiter) restored from SQLite
 * when the object starts, each of its changes written back in the call that made it. A
 * Durable Object handles one call at a time and its storage writes are atomic with the
 * answer, so two isolates can never take the same slot, and a restart or an eviction
 * forgets nothing. Every answer carries the state it leaves, for the `RateLimit` fields.
 *
 * @example
 * ```ts
 * import type { GatewayConfig } from "../config/GatewayConfig.js"
 * import type { Env } from "../env.js"
 * import { quotaStub } from "./quotaStub.js"
 *
 * declare const env: Env
 * declare const config: GatewayConfig
 * const quota = quotaStub(env, config) // env.QUOTA.get(env.QUOTA.idFromName(`account:${config.accountId}`))
 * const decision = await quota.acquire("campaign/send", 0)
 * if (!decision.admitted) console.log(decision.retryAfterMs, decision.state.windows)
 * ```
 */
export class QuotaObject extends DurableObject<Env> {
  private readonly machine: QuotaMachine

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const configured = ratePolicy(env.RATE_LIMIT_POLICY)
    // The gateway refuses to start on a bad policy (GatewayConfig); never admit more here.
    if (!configured.ok) throw new Error(configured.reason)
    const reserve = broadcastReserve(env.BROADCAST_RESERVE, configured.value)
    if (!reserve.ok) throw new Error(reserve.reason)
    const sql = ctx.storage.sql
    sql.exec(`CREATE TABLE IF NOT EXISTS admissions (endpoint TEXT NOT NULL, at INTEGER NOT NULL)`)
    sql.exec(`CREATE INDEX IF NOT EXISTS admissions_by_time ON admissions (endpoint, at)`)
    sql.exec(
      `CREATE TABLE IF NOT EXISTS blocks (endpoint TEXT PRIMARY KEY, until INTEGER NOT NULL)`,
    )
    this.machine = new QuotaMachine(configured.value, {
      rows: {
        admissions: sql.exec<{ endpoint: string; at: number }>(
          `SELECT endpoint, at FROM admissions ORDER BY at`,
        ),
        blocks: sql.exec<{ endpoint: string; until: number }>(`SELECT endpoint, until FROM blocks`),
      },
      journal: sqliteJournal(sql),
      sharing: new SharedSlots(configured.value, reserve.value),
    })
  }

  /**
   * Reserves the earliest slot the policy allows, if it is at most `maxWaitMs` away;
   * otherwise reserves nothing and says when to come back.
   */
  acquire(endpoint: Endpoint, maxWaitMs: number, share?: ShareRequest): QuotaDecision {
    return this.machine.acquire(endpoint, Date.now(), maxWaitMs, share)
  }

  /**
   * Gives back a slot reserved for `at` that will not be used (the caller left while
   * waiting for it). One admission at that instant is removed; none if it is gone.
   */
  release(endpoint: Endpoint, at: number): QuotaState {
    return this.machine.release(endpoint, at, Date.now())
  }

  /** The upstream answered 429: nothing goes out for this endpoint before `untilMs`. */
  block(endpoint: Endpoint, untilMs: number): QuotaState {
    return this.machine.block(endpoint, untilMs, Date.now())
  }

  /** The endpoint's windows right now, without reserving anything. */
  snapshot(endpoint: Endpoint): QuotaState {
    return this.machine.snapshot(endpoint, Date.now())
  }
}
