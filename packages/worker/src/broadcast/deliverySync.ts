import type { CampaignView } from "../ledger/ledgerTypes.js"
import type { BroadcastType } from "./broadcastTypes.js"

/** Chunks whose callbacks one read of a broadcast fetches from the ledger at most. */
export const SYNC_BATCH = 50
/** After this, no callback can come any more (its URL expired): the chunk's delivery is final. */
export const CALLBACK_LIFETIME_MS = 30 * 86_400_000

interface ChunkRow extends Record<string, SqlStorageValue> {
  idx: number
  send_id: string
  campaign_id: string | null
  recipients: number
  finished_at: number | null
}

const num = (value: unknown): number | undefined => {
  const n =
    typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN
  return Number.isFinite(n) ? n : undefined
}

/**
 * Delivery counts come from the provider's callbacks, which the client's ledger stores per
 * send (each chunk is a send of its own, `ClientLedger.campaign(sendId)`): this pulls them
 * into the broadcast when it is read, for at most {@link SYNC_BATCH} chunks per read, the
 * least recently synced first, so that a read of a 2,000-chunk broadcast stays bounded
 * (its counts converge over a few reads). A chunk's delivery is final once every recipient
 * has a final status (voice SMS: one callback per number), once its campaign-level
 * callback came (voicemail drop: delivered/total), or once its callback URL has expired.
 * An `unknown` chunk is synced too: its callbacks, if any, tell that it went out and as
 * which campaign.
 *
 * @example
 * ```ts
 * import type { ClientLedger } from "../ledger/ClientLedger.js"
 * import type { CampaignView } from "../ledger/ledgerTypes.js"
 *
 * async function refresh(sql: SqlStorage, ledger: DurableObjectStub<ClientLedger>) {
 *   // RPC typing drops `unknown`-valued records (event data); the value is the view.
 *   const campaign = async (sendId: string) =>
 *     (await ledger.campaign(sendId)) as unknown as CampaignView | null
 *   await syncDelivery(sql, "tts", campaign, Date.now()) // at most SYNC_BATCH chunks
 * }
 * ```
 */
export const syncDelivery = async (
  sql: SqlStorage,
  type: BroadcastType,
  campaign: (sendId: string) => Promise<CampaignView | null>,
  now: number,
  limit: number = SYNC_BATCH,
): Promise<void> => {
  const due = sql
    .exec<ChunkRow>(
      `SELECT idx, send_id, campaign_id, recipients, finished_at FROM chunks
       WHERE state IN ('sent', 'unknown') AND send_id IS NOT NULL AND delivery_final = 0
       ORDER BY COALESCE(synced_at, 0), idx LIMIT ?`,
      limit,
    )
    .toArray()
  const views = await Promise.all(
    due.map((chunk) => campaign(chunk.send_id).catch(() => undefined)),
  )
  due.forEach((chunk, i) => {
    const view = views[i]
    if (view === undefined) return // the ledger did not answer: next read
    const expired = chunk.finished_at !== null && chunk.finished_at + CALLBACK_LIFETIME_MS < now
    const counts = view === null ? undefined : applyView(sql, type, chunk, view)
    const final = expired || counts?.final === true
    sql.exec(
      `UPDATE chunks SET synced_at = ?, delivery_final = ?,
         delivered = COALESCE(?, delivered), undelivered = COALESCE(?, undelivered),
         campaign_id = COALESCE(campaign_id, ?)
       WHERE idx = ?`,
      now,
      final ? 1 : 0,
      counts?.delivered ?? null,
      counts?.undelivered ?? null,
      view?.send?.campaignId ?? null,
      chunk.idx,
    )
  })
}

/** A chunk's delivery from its campaign view; voice SMS statuses go to its recipients. */
const applyView = (
  sql: SqlStorage,
  type: BroadcastType,
  chunk: ChunkRow,
  view: CampaignView,
):
  | { readonly delivered: number; readonly undelivered: number; readonly final: boolean }
  | undefined => {
  if (type === "voicemail") {
    // Campaign-level: "delivered n of total"; the latest wins (events come in received order).
    const last = view.events.filter((e) => e.type === "voicemail.status").at(-1)
    if (last === undefined) return undefined
    const total = num(last.data.totalQuantity) ?? chunk.recipients
    const delivered = Math.min(Math.max(num(last.data.deliveredQuantity) ?? 0, 0), total)
    return { delivered, undelivered: Math.max(total - delivered, 0), final: true }
  }
  // One status per number; a final one (delivered, undelivered) is never undone by a late pending.
  const byNumber = new Map<string, string>()
  for (const event of view.events) {
    if (event.type !== "tts.status" || event.phoneNumber === "") continue
    const known = byNumber.get(event.phoneNumber)
    if (event.status === "pending" && known !== undefined) continue
    byNumber.set(event.phoneNumber, event.status)
  }
  let delivered = 0
  let undelivered = 0
  for (const [phoneNumber, status] of byNumber) {
    // Only the chunk's own numbers count (a callback for another number changes nothing).
    const written = sql.exec(
      `UPDATE recipients SET delivery = ? WHERE chunk = ? AND e164 = ?`,
      status,
      chunk.idx,
      phoneNumber,
    ).rowsWritten
    if (written === 0) continue
    if (status === "delivered") delivered++
    else if (status === "undelivered") undelivered++
  }
  return { delivered, undelivered, final: delivered + undelivered >= chunk.recipients }
}
