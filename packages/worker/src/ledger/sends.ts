import { withoutCallbackUrls } from "../callbacks/redactCallbackUrls.js"
import type { SendRecord } from "./ledgerTypes.js"
import { sendActiveAt } from "./retention.js"

/**
 * The client's sends (table `sends`): how each ended, under the gateway's send id, with
 * the provider's campaign id once known, and `active_at`, the last activity its retention
 * counts from (see `retention.ts`). A send is the anchor of everything else: events are
 * stored only for a recorded send (`events.ts`), and a campaign may be cancelled only by
 * the client that sent it ({@link Sends.ownsCampaign}).
 *
 * @example
 * ```ts
 * import type { SendRecord } from "./ledgerTypes.js"
 * import { Sends } from "./sends.js"
 *
 * function mayCancel(sql: SqlStorage, record: SendRecord): boolean {
 *   const sends = new Sends(sql)
 *   sends.record(record)
 *   return sends.ownsCampaign("NDA_123") // true if the record was sent as campaign NDA_123
 * }
 * ```
 */
export class Sends {
  constructor(private readonly sql: SqlStorage) {}

  /** Records (or replaces) how a send ended; its retention counts from {@link sendActiveAt}. */
  record(record: SendRecord): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO sends (send_id, campaign_id, created_at, active_at, record)
       VALUES (?, ?, ?, ?, ?)`,
      record.sendId,
      record.campaignId ?? null,
      record.createdAt,
      sendActiveAt(record),
      // An error text may quote the send's notifyUrl, a credential: never stored.
      withoutCallbackUrls(JSON.stringify(record)),
    )
  }

  /**
   * Whether this client sent the campaign: a send recorded with outcome `sent` and this
   * campaign id. Only then may it cancel the campaign (another client's ids are
   * sequential, hence guessable). A send of unknown outcome does not count, even once a
   * callback told its campaign id: that comes after the campaign ran.
   */
  ownsCampaign(campaignId: string): boolean {
    return (
      this.sql
        .exec(
          // The outcome lives in the JSON record only: `campaign_id` is also bound later
          // by a callback (see bindEvent), which must not make a send owned.
          `SELECT 1 FROM sends WHERE campaign_id = ? AND json_extract(record, '$.outcome') = 'sent' LIMIT 1`,
          campaignId,
        )
        .toArray().length > 0
    )
  }

  /** The send's campaign id (`null`: not known yet), or `undefined` if no such send. */
  campaignIdOf(sendId: string): string | null | undefined {
    return this.sql
      .exec<{ campaign_id: string | null }>(
        `SELECT campaign_id FROM sends WHERE send_id = ?`,
        sendId,
      )
      .toArray()[0]?.campaign_id
  }

  /**
   * A callback was stored for the send at `now`: it is activity, and, if the send has no
   * campaign id yet, the callback's campaign id becomes the send's (column and record).
   */
  bindEvent(sendId: string, campaignId: string, now: number): void {
    this.sql.exec(
      // `record` is set before `campaign_id` in the statement but SQLite evaluates every
      // right-hand side on the row as it was: the CASE sees the old, NULL campaign_id.
      `UPDATE sends SET
         record = CASE WHEN campaign_id IS NULL THEN json_set(record, '$.campaignId', ?) ELSE record END,
         campaign_id = COALESCE(campaign_id, ?),
         active_at = MAX(active_at, ?)
       WHERE send_id = ?`,
      campaignId,
      campaignId,
      now,
      sendId,
    )
  }

  /** A delivery attempt of an event is activity of its send: retention counts from the last. */
  touchByEvent(eventId: string, now: number): void {
    this.sql.exec(
      // Two-argument MAX is SQLite's scalar max (not the aggregate): never moves back.
      `UPDATE sends SET active_at = MAX(active_at, ?)
       WHERE send_id = (SELECT send_id FROM events WHERE id = ?)`,
      now,
      eventId,
    )
  }
}
