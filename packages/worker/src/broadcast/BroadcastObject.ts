import { DurableObject } from "cloudflare:workers"
import type { Env } from "../env.js"
import { ledgerSettings } from "../ledger/ledgerSettings.js"
import type { CampaignView } from "../ledger/ledgerTypes.js"
import { indexName } from "./broadcastIds.js"
import { BroadcastIndex, type IndexEntry, type IndexPage } from "./broadcastIndex.js"
import { holdsBroadcast, holdsIndex, migrateBroadcast, migrateIndex } from "./broadcastSchema.js"
import { type BroadcastRow, BroadcastStore } from "./broadcastStore.js"
import { briefOf, summaryOf } from "./broadcastSummary.js"
import {
  type BroadcastBrief,
  type BroadcastSpec,
  type BroadcastSummary,
  type ChunkState,
  type ControlOutcome,
  endpointOf,
  type RecipientBatch,
  type RecipientPage,
  type RetryClaim,
} from "./broadcastTypes.js"
import { unknownSendRecord } from "./chunkOutcome.js"
import { sendNextChunk } from "./chunkSender.js"
import { syncDelivery } from "./deliverySync.js"

/** A broadcast still `loading` this long after `create` was abandoned: deleted. */
const LOADING_TIMEOUT_MS = 3_600_000
/** When a step threw: the alarm tries again this much later. */
const STEP_FAILURE_RETRY_MS = 30_000

/** How often a running broadcast tells its progress. */
const PROGRESS_EVERY_MS = 60_000

/**
 * One broadcast — a campaign of any size, sent chunk by chunk under the account's quota —
 * in SQLite, driven by its alarm. One object per broadcast (`idFromName(broadcastId)`);
 * the same class, named `index:<client id>`, keeps a client's index of broadcasts
 * (`GET /v1/broadcasts`): two roles, never both in one object.
 *
 * This class is the RPC façade; the concerns live next to it:
 *
 * | concern | file |
 * |---|---|
 * | tables, versioned | `broadcastSchema.ts` |
 * | rows and state transitions | `broadcastStore.ts` |
 * | one step of the alarm loop: quota, in-flight mark, upstream call, outcome | `chunkSender.ts`, `chunkOutcome.ts` |
 * | delivery counts from the ledger's callbacks | `deliverySync.ts` |
 * | what the routes show | `broadcastSummary.ts` |
 * | a client's index | `broadcastIndex.ts` |
 *
 * Durability: a chunk is marked `in_flight` (and the write synced) before its request
 * may leave. When the object starts — after a restart, an eviction, a deployment — a chunk
 * found `in_flight` becomes `unknown` and owes the ledger an unknown record (its callbacks,
 * if the provider got it, then bind and tell); it is NEVER sent again automatically. The
 * alarm sends at most one chunk per run and sets itself again: for now when the next slot
 * is free, for the slot's time otherwise, for `startAt` while scheduled, none while paused,
 * and once finished for the purge (`RETENTION_DAYS` after completion or cancellation).
 *
 * Ownership: every RPC names the client, and answers `null` when the broadcast is not
 * that client's (the route answers 404 either way, never revealing that it exists).
 *
 * @example
 * ```ts
 * import type { BroadcastObject } from "./BroadcastObject.js"
 *
 * // broadcasts: the Worker's `env.BROADCASTS`
 * async function statusOf(broadcasts: DurableObjectNamespace<BroadcastObject>, clientId: string, broadcastId: string) {
 *   const broadcast = broadcasts.get(broadcasts.idFromName(broadcastId))
 *   return (await broadcast.summary(clientId))?.status // "running", … or undefined: 404
 * }
 * ```
 */
export class BroadcastObject extends DurableObject<Env> {
  /** An alarm step is running in this instance: another alarm call returns at once. */
  private busy = false

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    if (holdsBroadcast(ctx.storage.sql)) {
      migrateBroadcast(ctx.storage)
      const store = new BroadcastStore(ctx.storage)
      const b = store.read()
      if (b !== undefined)
        store.recoverInFlight(Date.now(), (chunk) =>
          unknownSendRecord({
            sendId: chunk.sendId,
            endpoint: endpointOf(b.type),
            createdAt: chunk.startedAt,
            recipients: chunk.recipients,
          }),
        )
    }
  }

  private store(): BroadcastStore | undefined {
    return holdsBroadcast(this.ctx.storage.sql) ? new BroadcastStore(this.ctx.storage) : undefined
  }

  /** The broadcast if it is `clientId`'s and fully created; else `undefined` (a 404). */
  private owned(
    clientId: string,
    loading = false,
  ): { readonly store: BroadcastStore; readonly b: BroadcastRow } | undefined {
    const store = this.store()
    const b = store?.read()
    if (store === undefined || b === undefined || b.clientId !== clientId) return undefined
    if (b.status === "loading" && !loading) return undefined
    return { store, b }
  }

  // ---- the broadcast role -------------------------------------------------------------

  /** Stores a new broadcast, `loading` until {@link start}; recipients come in batches. */
  async create(spec: BroadcastSpec): Promise<void> {
    if (holdsBroadcast(this.ctx.storage.sql)) throw new Error("this broadcast already exists")
    migrateBroadcast(this.ctx.storage)
    new BroadcastStore(this.ctx.storage).create(spec)
    await this.ctx.storage.setAlarm(Date.now() + LOADING_TIMEOUT_MS)
  }

  /** Stores a batch of recipients (one transaction) of a broadcast still `loading`. */
  addRecipients(clientId: string, batch: RecipientBatch): void {
    const found = this.owned(clientId, true)
    if (found === undefined || found.b.status !== "loading")
      throw new Error("no broadcast is loading here")
    found.store.addRecipients(batch)
  }

  /**
   * Every recipient is stored: the broadcast is `scheduled` (its `startAt` is ahead) or
   * `running`, and its alarm set. Fails if recipients are missing.
   */
  async start(clientId: string): Promise<BroadcastSummary> {
    const found = this.owned(clientId, true)
    if (found === undefined || found.b.status !== "loading")
      throw new Error("no broadcast is loading here")
    const { store, b } = found
    if (store.storedRecipients() !== b.plan.recipients.valid)
      throw new Error("the broadcast's recipients are not all stored")
    const now = Date.now()
    const scheduled = b.startAt !== undefined && b.startAt > now
    store.start(scheduled ? "scheduled" : "running", now)
    await this.ctx.storage.setAlarm(scheduled ? (b.startAt as number) : now)
    return this.summaryNow(store, now)
  }

  /** Status, counts, delivery (synced from the ledger first, bounded), cost and ETA. */
  async summary(clientId: string): Promise<BroadcastSummary | null> {
    const found = this.owned(clientId)
    if (found === undefined) return null
    await this.syncDelivery(found.b)
    return this.summaryNow(found.store, Date.now())
  }

  /** The listing's view of the broadcast (no delivery sync). */
  brief(clientId: string): BroadcastBrief | null {
    const found = this.owned(clientId)
    return found === undefined ? null : briefOf(found.b, found.store)
  }

  /** Stops before the next chunk (a chunk in flight completes). */
  async pause(clientId: string): Promise<ControlOutcome | null> {
    return this.control(clientId, (store, now) => {
      const status = store.status()
      if (status === "paused") return true
      return store.pause({ code: "PAUSED_BY_CLIENT", message: "paused by the client" }, now)
    })
  }

  /** Goes on where it stopped (after its `startAt` if it had not started). */
  async resume(clientId: string): Promise<ControlOutcome | null> {
    return this.control(clientId, (store, now) => {
      const status = store.status()
      if (status === "running" || status === "scheduled") return true
      return store.resume(now)
    })
  }

  /** Stops for good: pending chunks are never sent; a chunk in flight completes. */
  async cancel(clientId: string): Promise<ControlOutcome | null> {
    return this.control(clientId, (store, now) => {
      if (store.status() === "cancelled") return true
      return store.cancel(now)
    })
  }

  /**
   * A page of recipients after row `after` (`status`: only those whose chunk is in that
   * state), with delivery synced first (bounded) when `sync`.
   */
  async recipients(
    clientId: string,
    query: {
      readonly status?: ChunkState | undefined
      readonly after: number
      readonly limit: number
      readonly sync?: boolean
    },
  ): Promise<RecipientPage | null> {
    const found = this.owned(clientId)
    if (found === undefined) return null
    if (query.sync === true) await this.syncDelivery(found.b)
    const page = found.store.page(query.status, query.after, query.limit)
    return {
      recipients: page.rows,
      nextCursor: page.more ? String(page.rows.at(-1)?.row ?? query.after) : null,
    }
  }

  /**
   * Claims this broadcast's failed chunks (and unknown ones if asked) for the new
   * broadcast `newId`, so that no later retry takes them again; see {@link retryRows}.
   */
  claimRetry(clientId: string, includeUnknown: boolean, newId: string): RetryClaim | null {
    const found = this.owned(clientId)
    if (found === undefined) return null
    const { recipients, kinds, byPrefix } = found.store.claimRetry(includeUnknown, newId)
    if (recipients === 0) return { kind: "nothing" }
    const { b } = found
    return {
      kind: "claimed",
      type: b.type,
      message: b.message,
      notifyUrl: b.notifyUrl,
      name: b.name,
      recipients,
      kinds,
      byPrefix,
    }
  }

  /** The recipients claimed by `newId`, in row order after `after`. */
  retryRows(clientId: string, newId: string, after: number, limit: number) {
    const found = this.owned(clientId)
    return found === undefined ? [] : found.store.retryRows(newId, after, limit)
  }

  /** Gives back the chunks claimed by `newId` (its creation failed). */
  releaseRetry(clientId: string, newId: string): void {
    this.owned(clientId)?.store.releaseRetry(newId)
  }

  /** Sends the next chunk (see `chunkSender.ts`), or purges a finished broadcast when due. */
  override async alarm(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      const store = this.store()
      const b = store?.read()
      if (store === undefined || b === undefined) return
      const now = Date.now()
      if (b.status === "loading") {
        if (now >= b.createdAt + LOADING_TIMEOUT_MS) await this.purge(b)
        else await this.ctx.storage.setAlarm(b.createdAt + LOADING_TIMEOUT_MS)
        return
      }
      if (b.status === "completed" || b.status === "cancelled") {
        const purgeAt =
          (b.completedAt ?? b.cancelledAt ?? now) + ledgerSettings(this.env).retentionMs
        if (now >= purgeAt) await this.purge(b)
        else await this.ctx.storage.setAlarm(purgeAt)
        return
      }
      let next: number | undefined
      try {
        next = await sendNextChunk({
          env: this.env,
          store,
          waitUntil: (promise) => this.ctx.waitUntil(promise),
        })
      } catch (error) {
        console.error(
          JSON.stringify({
            level: "error",
            msg: "broadcast step failed",
            broadcast: b.id,
            error: error instanceof Error ? error.name : "unknown",
          }),
        )
        next = Date.now() + STEP_FAILURE_RETRY_MS
      }
      await this.reschedule(store, next)
    } finally {
      this.busy = false
    }
  }

  // ---- the index role -----------------------------------------------------------------

  /** Adds a broadcast to this client's index. */
  indexAdd(clientId: string, id: string, createdAt: number): void {
    migrateIndex(this.ctx.storage)
    new BroadcastIndex(this.ctx.storage.sql).add(clientId, id, createdAt)
  }

  /** A page of this client's broadcasts, newest first, after `before`. */
  indexPage(clientId: string, before: IndexEntry | undefined, limit: number): IndexPage {
    if (!holdsIndex(this.ctx.storage.sql)) return { entries: [], next: undefined }
    return new BroadcastIndex(this.ctx.storage.sql).page(clientId, before, limit)
  }

  /** Drops a broadcast from this client's index (purged, or never fully created). */
  indexRemove(_clientId: string, id: string): void {
    if (holdsIndex(this.ctx.storage.sql)) new BroadcastIndex(this.ctx.storage.sql).remove(id)
  }

  // ---- internals ----------------------------------------------------------------------

  private summaryNow(store: BroadcastStore, now: number): BroadcastSummary {
    const b = store.read() as BroadcastRow
    return summaryOf(b, store, this.env, now)
  }

  /** A control action: the transition, then the alarm it needs; `conflict` if refused. */
  private async control(
    clientId: string,
    transition: (store: BroadcastStore, now: number) => boolean,
  ): Promise<ControlOutcome | null> {
    const found = this.owned(clientId)
    if (found === undefined) return null
    const { store } = found
    if (!transition(store, Date.now()))
      return {
        kind: "conflict",
        status: found.b.status === "loading" ? "scheduled" : found.b.status,
      }
    await this.reschedule(store, Date.now())
    return { kind: "done", summary: this.summaryNow(store, Date.now()) }
  }

  /**
   * The alarm for the broadcast's status: `next` while it runs, its `startAt` while
   * scheduled, the purge once finished, none while paused. An alarm step in progress
   * sets it again when it ends, from the status it then finds.
   */
  private async reschedule(store: BroadcastStore, next: number | undefined): Promise<void> {
    const b = store.read()
    if (b === undefined) return
    await this.announce(b, store)
    switch (b.status) {
      case "running":
        // A step that said nothing (it should not happen while running): look again later.
        await this.ctx.storage.setAlarm(next ?? Date.now() + STEP_FAILURE_RETRY_MS)
        return
      case "scheduled":
        await this.ctx.storage.setAlarm(b.startAt ?? Date.now())
        return
      case "paused":
        await this.ctx.storage.deleteAlarm()
        return
      case "completed":
      case "cancelled":
        await this.ctx.storage.setAlarm(
          (b.completedAt ?? b.cancelledAt ?? Date.now()) + ledgerSettings(this.env).retentionMs,
        )
        return
      case "loading":
        return
    }
  }

  /**
   * Tells the client's webhook (or the broadcast's `notifyUrl`) where the broadcast is:
   * `broadcast.paused` with its reason, `broadcast.completed`, and `broadcast.progress` at
   * most once a minute while it runs. The ledger stores each (broadcast, key) once, so
   * saying it again after a restart sends nothing twice; a ledger that cannot be reached
   * now is told at the next step.
   */
  private async announce(b: BroadcastRow, store: BroadcastStore): Promise<void> {
    const now = Date.now()
    const event =
      b.status === "paused" && b.pauseReason !== undefined
        ? { type: "broadcast.paused" as const, key: `paused:${b.pauseReason.at}` }
        : b.status === "completed"
          ? { type: "broadcast.completed" as const, key: "completed" }
          : b.status === "running"
            ? {
                type: "broadcast.progress" as const,
                key: `progress:${Math.floor(now / PROGRESS_EVERY_MS)}`,
              }
            : undefined
    if (event === undefined) return
    const ledger = this.env.LEDGER.get(this.env.LEDGER.idFromName(b.clientId))
    await ledger
      .enqueueEvent(b.clientId, {
        subject: b.id,
        ...event,
        data: {
          broadcastId: b.id,
          name: b.name ?? null,
          status: b.status,
          chunks: store.chunkCounts(),
          cost: store.cost(),
          ...(b.status === "paused" && { reason: b.pauseReason }),
        },
        forwardTo: b.notifyUrl,
      })
      .catch(() => undefined)
  }

  /** Pulls the chunks' delivery from the client's ledger (see `deliverySync.ts`). */
  private async syncDelivery(b: BroadcastRow): Promise<void> {
    const ledger = this.env.LEDGER.get(this.env.LEDGER.idFromName(b.clientId))
    await syncDelivery(
      this.ctx.storage.sql,
      b.type,
      // RPC typing drops `unknown`-valued records (event data); the value is the view.
      async (sendId) => (await ledger.campaign(sendId)) as unknown as CampaignView | null,
      Date.now(),
    )
  }

  /** Deletes the broadcast and its index entry. */
  private async purge(b: BroadcastRow): Promise<void> {
    const index = this.env.BROADCASTS.get(this.env.BROADCASTS.idFromName(indexName(b.clientId)))
    await index.indexRemove(b.clientId, b.id)
    await this.ctx.storage.deleteAlarm()
    await this.ctx.storage.deleteAll()
  }
}
