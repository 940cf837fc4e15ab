import type { CampaignView, DeliveryView, EventView, SendRecord } from "./ledgerTypes.js"

interface EventRow extends Record<string, SqlStorageValue> {
  id: string
  type: string
  phone_number: string
  status: string
  received_at: number
  data: string
  url: string | null
  state: string | null
  attempts: number | null
  next_at: number | null
  last_status: number | null
}

/**
 * What `GET /v1/campaigns/:id` shows: a send and its events with their deliveries, found
 * by the provider's campaign id or the gateway's send id. Read-only, over the tables the
 * sends, events and deliveries own.
 *
 * @example
 * ```ts
 * import { campaignView } from "./campaignView.js"
 *
 * function outcomes(sql: SqlStorage, campaignId: string) {
 *   const view = campaignView(sql, campaignId) // null: nothing known under this id
 *   return view?.events.map((e) => [e.phoneNumber, e.status, e.delivery?.state])
 * }
 * ```
 */
export const campaignView = (sql: SqlStorage, id: string): CampaignView | null => {
  const sendRow = sql
    .exec<{ send_id: string; record: string }>(
      // Campaign ids can repeat (another send, another day): the latest send wins.
      `SELECT send_id, record FROM sends WHERE campaign_id = ? OR send_id = ?
       ORDER BY created_at DESC LIMIT 1`,
      id,
      id,
    )
    .toArray()[0]
  const sendId = sendRow?.send_id ?? id
  const events = sql
    .exec<EventRow>(
      `SELECT e.id, e.type, e.phone_number, e.status, e.received_at, e.data,
              d.url, d.state, d.attempts, d.next_at, d.last_status
       FROM events e LEFT JOIN deliveries d ON d.event_id = e.id
       WHERE ${sendRow === undefined ? "e.campaign_id" : "e.send_id"} = ?
       ORDER BY e.received_at, e.id`,
      // A known send: its own events (a reused campaign id cannot mix in others').
      sendRow === undefined ? id : sendId,
    )
    .toArray()
  if (sendRow === undefined && events.length === 0) return null
  return {
    send: sendRow === undefined ? undefined : (JSON.parse(sendRow.record) as SendRecord),
    events: events.map(
      (e): EventView => ({
        id: e.id,
        type: e.type,
        phoneNumber: e.phone_number,
        status: e.status,
        receivedAt: new Date(e.received_at).toISOString(),
        data: JSON.parse(e.data) as Record<string, unknown>,
        delivery:
          e.state === null
            ? undefined
            : {
                url: e.url ?? "",
                state: e.state as DeliveryView["state"],
                attempts: e.attempts ?? 0,
                lastStatus: e.last_status ?? undefined,
                nextAttemptAt:
                  e.state === "pending" && e.next_at !== null
                    ? new Date(e.next_at).toISOString()
                    : undefined,
              },
      }),
    ),
  }
}
