import { withoutCallbackUrls } from "../callbacks/redactCallbackUrls.js"
import type { CallbackEvent, GatewayEvent, RecordEventOutcome } from "./ledgerTypes.js"
import type { Sends } from "./sends.js"

/** What {@link Events.record} did: as {@link RecordEventOutcome}, with the new event's id. */
export type EventRecorded =
  | { readonly kind: "stored"; readonly eventId: string }
  | Exclude<RecordEventOutcome, { readonly kind: "stored" }>

/**
 * The provider's callbacks (table `events`), each stored once per (send, number, status)
 * and bound to the send whose callback URL it came on. Forwarding them is the deliveries'
 * job (`deliveries.ts`); showing them, the campaign view's (`campaignView.ts`).
 *
 * - No send recorded with this id: `sendNotRecorded`, nothing stored. The provider can
 *   call back before the gateway has recorded the send's answer; it retries a refused
 *   callback (the route answers 503 with `Retry-After`).
 * - The send is recorded with another campaign id: `campaignMismatch`, nothing stored.
 * - The send has no campaign id yet (its outcome was unknown: the connection dropped
 *   after the provider took it): the first stored event binds its campaign id to the
 *   send. The URL is a credential minted for this send alone, so its first callback is
 *   the provider's word on which campaign it became.
 *
 * @example
 * ```ts
 * import { Events } from "./events.js"
 * import type { CallbackEvent } from "./ledgerTypes.js"
 * import { Sends } from "./sends.js"
 *
 * function store(sql: SqlStorage, event: CallbackEvent) {
 *   const events = new Events(sql, new Sends(sql))
 *   const first = events.record(event, Date.now()) // { kind: "stored", eventId: "evt_…" }
 *   const again = events.record(event, Date.now()) // { kind: "duplicate" }
 *   return [first, again]
 * }
 * ```
 */
export class Events {
  constructor(
    private readonly sql: SqlStorage,
    private readonly sends: Sends,
  ) {}

  /**
   * Stores `event`, received at `now`, for its send (see the class doc). Synchronous: the
   * checks and the writes see one state of the ledger.
   */
  record(event: CallbackEvent, now: number): EventRecorded {
    const campaignId = this.sends.campaignIdOf(event.sendId)
    if (campaignId === undefined) return { kind: "sendNotRecorded" }
    if (campaignId !== null && campaignId !== event.campaignId) return { kind: "campaignMismatch" }
    // The id is also the forwarded `webhook-id`, the same on every attempt.
    const id = `evt_${crypto.randomUUID().replace(/-/g, "")}`
    // OR IGNORE: the UNIQUE (send_id, phone_number, status) constraint decides duplicates
    // (the provider repeats callbacks); rowsWritten tells which it was.
    const cursor = this.sql.exec(
      `INSERT OR IGNORE INTO events (id, send_id, campaign_id, phone_number, status, type, received_at, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      event.sendId,
      event.campaignId,
      event.phoneNumber,
      event.status,
      event.type,
      now,
      withoutCallbackUrls(JSON.stringify(event.data)),
    )
    if (cursor.rowsWritten === 0) return { kind: "duplicate" }
    this.sends.bindEvent(event.sendId, event.campaignId, now)
    return { kind: "stored", eventId: id }
  }

  /**
   * Stores one of the gateway's own events (a broadcast paused, completed, progressing),
   * once per (subject, key): no send to bind it to, and forwarded like the provider's.
   */
  recordOwn(event: GatewayEvent, now: number): EventRecorded {
    const id = `evt_${crypto.randomUUID().replace(/-/g, "")}`
    const cursor = this.sql.exec(
      `INSERT OR IGNORE INTO events (id, send_id, campaign_id, phone_number, status, type, received_at, data)
       VALUES (?, ?, ?, '', ?, ?, ?, ?)`,
      id,
      event.subject,
      event.subject,
      event.key,
      event.type,
      now,
      withoutCallbackUrls(JSON.stringify(event.data)),
    )
    return cursor.rowsWritten === 0 ? { kind: "duplicate" } : { kind: "stored", eventId: id }
  }
}
