import { scheduledAtOrAfter } from "./ledgerSchema.js"
import type { LedgerSettings } from "./ledgerSettings.js"
import type { SendRecord } from "./ledgerTypes.js"

/**
 * How long the ledger keeps what it stores, and the purge (periods in `ledgerSettings.ts`):
 *
 * - a send, its events and their deliveries: `RETENTION_DAYS` (30) after the send's last
 *   activity (`sends.active_at`): its creation, its scheduled date, its last event or
 *   delivery attempt (the other concerns move `active_at` forward);
 * - an idempotency key and its answer: `IDEMPOTENCY_RETENTION_HOURS` (24) after creation;
 * - a 410 disabling (`disabled_urls`): `RETENTION_DAYS` after the 410.
 *
 * One owner for every table's purge, so that a send never outlives its events or the
 * reverse. The ledger's alarm calls {@link purgeExpired} and is always set for
 * {@link nextPurgeAt}.
 *
 * @example
 * ```ts
 * import { ledgerSettings } from "./ledgerSettings.js"
 * import { nextPurgeAt, purgeExpired } from "./retention.js"
 *
 * function purgeNow(sql: SqlStorage): number | null {
 *   const settings = ledgerSettings({ RETENTION_DAYS: "7" })
 *   purgeExpired(sql, Date.now(), settings)
 *   return nextPurgeAt(sql, settings) // when the alarm must come back, or null: nothing kept
 * }
 * ```
 */

/** Sends purged per alarm with their events and deliveries; the alarm comes back for more. */
export const PURGE_BATCH = 100
/** A scheduled send whose date cannot be read is kept as long as its callback URL lives. */
export const UNREADABLE_SCHEDULE_KEEP_MS = 400 * 86_400_000

/**
 * When a send's retention starts counting as it is recorded: its creation, or its
 * scheduled date when later (callbacks come after the campaign runs).
 *
 * @example
 * ```ts
 * import type { SendRecord } from "./ledgerTypes.js"
 * import { sendActiveAt } from "./retention.js"
 *
 * function activeAt(record: SendRecord): number {
 *   // { ...record, scheduledDate: "2099-01-01 10:00:00" } → Date.UTC(2099, 0, 1, 10)
 *   return sendActiveAt(record)
 * }
 * ```
 */
export const sendActiveAt = (record: SendRecord): number => {
  const scheduled =
    scheduledAtOrAfter(record.scheduledDate) ??
    (record.scheduledDate === undefined
      ? undefined
      : record.createdAt + UNREADABLE_SCHEDULE_KEEP_MS)
  return Math.max(record.createdAt, scheduled ?? 0)
}

/** Deletes what outlived its retention at `now`: at most {@link PURGE_BATCH} sends per call. */
export const purgeExpired = (sql: SqlStorage, now: number, settings: LedgerSettings): void => {
  const cutoff = now - settings.retentionMs
  sql.exec(`DELETE FROM idempotency WHERE created_at <= ?`, now - settings.idempotencyRetentionMs)
  sql.exec(`DELETE FROM disabled_urls WHERE at <= ?`, cutoff)
  // The batch's ids as one JSON array bound once (json_each), not a variable-length list
  // of placeholders: the three deletes below see exactly the same sends.
  const expired = JSON.stringify(
    sql
      .exec<{ send_id: string }>(
        `SELECT send_id FROM sends WHERE active_at <= ? LIMIT ?`,
        cutoff,
        PURGE_BATCH,
      )
      .toArray()
      .map((r) => r.send_id),
  )
  // Children first: deliveries are found through their events, events through their send.
  sql.exec(
    `DELETE FROM deliveries WHERE event_id IN
       (SELECT id FROM events WHERE send_id IN (SELECT value FROM json_each(?)))`,
    expired,
  )
  sql.exec(`DELETE FROM events WHERE send_id IN (SELECT value FROM json_each(?))`, expired)
  sql.exec(`DELETE FROM sends WHERE send_id IN (SELECT value FROM json_each(?))`, expired)
  // Events of the first release could be stored without a recorded send: by their own age.
  const orphans = `SELECT id FROM events WHERE received_at <= ? AND send_id NOT IN (SELECT send_id FROM sends)`
  sql.exec(`DELETE FROM deliveries WHERE event_id IN (${orphans})`, cutoff)
  sql.exec(`DELETE FROM events WHERE id IN (${orphans})`, cutoff)
}

/** The earliest instant something stored outlives its retention, or `null` when nothing is kept. */
export const nextPurgeAt = (sql: SqlStorage, settings: LedgerSettings): number | null =>
  sql
    .exec<{ at: number | null }>(
      // MIN over an empty table is NULL, and MIN ignores NULLs: the outer MIN is the
      // earliest of the tables that hold rows, NULL when none does.
      `SELECT MIN(at) AS at FROM (
         SELECT MIN(active_at) + ? AS at FROM sends
         UNION ALL SELECT MIN(created_at) + ? FROM idempotency
         UNION ALL SELECT MIN(at) + ? FROM disabled_urls)`,
      settings.retentionMs,
      settings.idempotencyRetentionMs,
      settings.retentionMs,
    )
    .one().at
