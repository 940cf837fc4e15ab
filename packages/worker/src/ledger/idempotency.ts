import { withoutCallbackUrls } from "../callbacks/redactCallbackUrls.js"
import type { IdempotencyDecision } from "./ledgerTypes.js"

interface KeyRow extends Record<string, SqlStorageValue> {
  body_hash: string
  state: string
  status: number | null
  body: string | null
  created_at: number
}

/**
 * `Idempotency-Key`s of one client (table `idempotency`): a key is claimed `pending` before
 * its send goes out, then either `done` with the answer to replay, or freed when the send
 * certainly did not happen. The ledger's single thread makes the claim atomic: of two
 * concurrent requests with one key, exactly one gets `proceed`. Purging old keys is the
 * retention's job (`retention.ts`); until then an expired key is treated as absent.
 *
 * @example
 * ```ts
 * import { IdempotencyKeys } from "./idempotency.js"
 *
 * function claimTwice(sql: SqlStorage) {
 *   const keys = new IdempotencyKeys(sql)
 *   const now = Date.now()
 *   const day = 86_400_000
 *   keys.begin("order-42", "hash-a", now, day) // { kind: "proceed" }
 *   keys.begin("order-42", "hash-a", now, day) // { kind: "inFlight" }
 *   keys.finish("order-42", 200, '{"success":true}')
 *   return keys.begin("order-42", "hash-a", now, day) // { kind: "replay", status: 200, … }
 * }
 * ```
 */
export class IdempotencyKeys {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * Claims `key` for a request whose body hashes to `bodyHash`, at `now`: `proceed` the
   * first time (the key is then pending), `replay` with the stored answer for the same
   * body, `mismatch` for another body, `inFlight` while the first request is still being
   * sent. A key created `retentionMs` or more before `now` counts as new.
   */
  begin(key: string, bodyHash: string, now: number, retentionMs: number): IdempotencyDecision {
    const row = this.sql
      .exec<KeyRow>(
        `SELECT body_hash, state, status, body, created_at FROM idempotency WHERE key = ?`,
        key,
      )
      .toArray()[0]
    if (row === undefined || row.created_at <= now - retentionMs) {
      // REPLACE: an expired key the alarm has not purged yet is overwritten, not kept.
      this.sql.exec(
        `INSERT OR REPLACE INTO idempotency (key, body_hash, state, created_at) VALUES (?, ?, 'pending', ?)`,
        key,
        bodyHash,
        now,
      )
      return { kind: "proceed" }
    }
    if (row.body_hash !== bodyHash) return { kind: "mismatch" }
    if (row.state !== "done" || row.status === null || row.body === null)
      return { kind: "inFlight" }
    return { kind: "replay", status: row.status, body: row.body }
  }

  /** Stores the answer of a request that was (or may have been) sent, for replays. */
  finish(key: string, status: number, body: string): void {
    this.sql.exec(
      `UPDATE idempotency SET state = 'done', status = ?, body = ? WHERE key = ?`,
      status,
      // The provider may quote the send's notifyUrl, a credential: never stored.
      withoutCallbackUrls(body),
      key,
    )
  }

  /** Frees a key whose request certainly sent nothing (quota refusal, connection refused). */
  abandon(key: string): void {
    // Only a pending key: an answer already stored is what a retry must get.
    this.sql.exec(`DELETE FROM idempotency WHERE key = ? AND state = 'pending'`, key)
  }
}
