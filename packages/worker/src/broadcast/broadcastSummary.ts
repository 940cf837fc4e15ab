import { type BroadcastRow, type BroadcastStore, iso } from "./broadcastStore.js"
import { type BroadcastBrief, type BroadcastSummary, endpointOf } from "./broadcastTypes.js"
import { estimatedEnd, type QuotaVars } from "./estimate.js"

/** What `GET /v1/broadcasts` lists of a broadcast (no delivery sync: cheap). */
export const briefOf = (b: BroadcastRow, store: BroadcastStore): BroadcastBrief => ({
  id: b.id,
  name: b.name ?? null,
  type: b.type,
  status: b.status === "loading" ? "scheduled" : b.status,
  createdAt: iso(b.createdAt) ?? "",
  startAt: iso(b.startAt),
  recipients: b.plan.recipients.valid,
  chunks: store.chunkCounts(),
  pauseReason: b.pauseReason ?? null,
  retryOf: b.retryOf ?? null,
})

/**
 * What `GET /v1/broadcasts/:id` shows: status, chunk and recipient counts, delivery
 * counts (as synced from the ledger, see `deliverySync.ts`), cost so far, and when the
 * last chunk should leave — for a broadcast still to run, from the next possible send
 * (its `startAt`, a chunk's retry time, now) under the quota policy.
 */
export const summaryOf = (
  b: BroadcastRow,
  store: BroadcastStore,
  quota: QuotaVars,
  now: number,
): BroadcastSummary => {
  const remaining = store.remainingChunks()
  const from =
    b.status === "scheduled" && b.startAt !== undefined
      ? Math.max(b.startAt, now)
      : Math.max(store.nextPendingAt() ?? now, now)
  const active = b.status === "scheduled" || b.status === "running"
  return {
    ...briefOf(b, store),
    startedAt: iso(b.startedAt),
    completedAt: iso(b.completedAt),
    cancelledAt: iso(b.cancelledAt),
    notifyUrl: b.notifyUrl ?? null,
    recipientCounts: { ...b.plan.recipients, ...store.recipientsByState() },
    delivery: store.deliveryCounts(),
    cost: store.cost(),
    estimatedEndAt:
      active && remaining > 0
        ? new Date(estimatedEnd(quota, endpointOf(b.type), remaining, from)).toISOString()
        : null,
    plan: b.plan,
  }
}
