import { DurableObject } from "cloudflare:workers"
import { gatewayConfig } from "../config/GatewayConfig.js"
import type { Env } from "../env.js"
import { checkOutboundUrl } from "../security/outboundUrl.js"
import { campaignView } from "./campaignView.js"
import { rememberClient, rememberedClient } from "./clientIdentity.js"
import { forwardingTarget, WebhookDeliveries } from "./deliveries.js"
import { Events } from "./events.js"
import { IdempotencyKeys } from "./idempotency.js"
import { migrate } from "./ledgerSchema.js"
import { type LedgerSettings, ledgerSettings } from "./ledgerSettings.js"
import type {
  CallbackEvent,
  CampaignView,
  GatewayEvent,
  IdempotencyDecision,
  RecordEventOutcome,
  SendRecord,
} from "./ledgerTypes.js"
import { nextPurgeAt, purgeExpired } from "./retention.js"
import { Sends } from "./sends.js"

/** How long an alarm waits for attempts in flight before it returns (see the class doc). */
const ALARM_HOLD_MS = 1_000

/**
 * Everything the gateway remembers for one client, in SQLite: one Durable Object per
 * client serialises its decisions, so a duplicate callback or a concurrent duplicate send
 * is seen by one thread. The schema is versioned and migrated when the object starts
 * (`ledgerSchema.ts`, the only place that creates tables).
 *
 * This class is the RPC façade: it names the client ({@link rememberClient}), reads the
 * settings and the gateway configuration, and hands each call to the concern that owns it:
 *
 * | RPC | concern |
 * |---|---|
 * | `beginIdempotent`, `finishIdempotent`, `abandonIdempotent` | `idempotency.ts` |
 * | `recordSend`, `ownsCampaign` | `sends.ts` |
 * | `recordEvent` | `events.ts`, then `deliveries.ts` queues its forwarding |
 * | `campaign` | `campaignView.ts` |
 * | `alarm` | `retention.ts` purges, `deliveries.ts` starts due attempts |
 *
 * The alarm is always set for the earliest of: a delivery due at a destination with
 * room, a lease's end, the next purge. It starts the due attempts, sets itself again and
 * then waits at most {@link ALARM_HOLD_MS} for them: slower attempts go on in the
 * background and record their own outcome (alarms of one object run one at a time, so an
 * alarm awaiting a hanging receiver would hold back everyone's events).
 *
 * @example
 * ```ts
 * import type { ClientLedger } from "./ClientLedger.js"
 *
 * // ledgers: the Worker's `env.LEDGER`
 * async function claim(ledgers: DurableObjectNamespace<ClientLedger>, clientId: string, bodyHash: string) {
 *   const ledger = ledgers.get(ledgers.idFromName(clientId))
 *   const decision = await ledger.beginIdempotent(clientId, "order-42", bodyHash)
 *   if (decision.kind === "replay") return new Response(decision.body, { status: decision.status })
 *   // "proceed": send, then finishIdempotent (or abandonIdempotent if nothing went out)
 *   return decision.kind // or "mismatch" (422), "inFlight" (409)
 * }
 * ```
 */
export class ClientLedger extends DurableObject<Env> {
  private readonly sql: SqlStorage
  private readonly idempotency: IdempotencyKeys
  private readonly sends: Sends
  private readonly events: Events
  private readonly deliveries: WebhookDeliveries

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    migrate(ctx.storage)
    this.sql = ctx.storage.sql
    this.idempotency = new IdempotencyKeys(this.sql)
    this.sends = new Sends(this.sql)
    this.events = new Events(this.sql, this.sends)
    this.deliveries = new WebhookDeliveries({
      sql: this.sql,
      sends: this.sends,
      waitUntil: (promise) => ctx.waitUntil(promise),
      mayFetch: async (url) => {
        const config = await gatewayConfig(this.env)
        return !("problem" in config) && checkOutboundUrl(url, config.outboundHttpAllow).ok
      },
      afterAttempt: (settings) => this.scheduleAlarm(settings),
    })
    // A ledger written before retention existed may have rows and no alarm.
    void ctx.blockConcurrencyWhile(() => this.scheduleAlarm())
  }

  /**
   * Claims an idempotency key: `proceed` the first time (the key is then in flight),
   * `replay` with the stored answer for the same body, `mismatch` for another body,
   * `inFlight` while the first request is still being sent. A key older than the
   * idempotency retention counts as new even before the alarm purges it.
   */
  async beginIdempotent(
    clientId: string,
    key: string,
    bodyHash: string,
  ): Promise<IdempotencyDecision> {
    rememberClient(this.sql, clientId)
    const settings = ledgerSettings(this.env)
    const decision = this.idempotency.begin(
      key,
      bodyHash,
      Date.now(),
      settings.idempotencyRetentionMs,
    )
    if (decision.kind === "proceed") await this.scheduleAlarm(settings)
    return decision
  }

  /** Stores the answer of a request that was (or may have been) sent, for replays. */
  finishIdempotent(key: string, status: number, body: string): void {
    this.idempotency.finish(key, status, body)
  }

  /** Frees a key whose request certainly sent nothing (quota refusal, connection refused). */
  abandonIdempotent(key: string): void {
    this.idempotency.abandon(key)
  }

  /** Records how a send ended; its retention counts from its scheduled date when later. */
  async recordSend(clientId: string, record: SendRecord): Promise<void> {
    rememberClient(this.sql, clientId)
    this.sends.record(record)
    await this.scheduleAlarm()
  }

  /**
   * Whether this client sent the campaign (outcome `sent`): only then may it cancel it.
   * See {@link Sends.ownsCampaign}.
   */
  ownsCampaign(campaignId: string): boolean {
    return this.sends.ownsCampaign(campaignId)
  }

  /**
   * Stores a callback for the send its URL was minted for, once per (send, number,
   * status), and schedules its forwarding to the send's `notifyUrl` or the client's
   * webhook. See {@link Events} for the outcomes.
   */
  async recordEvent(clientId: string, event: CallbackEvent): Promise<RecordEventOutcome> {
    const target = await this.forwardingTargetOf(clientId, event.forwardTo)
    // From here on synchronous: the checks and the writes see one state of the ledger.
    const now = Date.now()
    const recorded = this.events.record(event, now)
    if (recorded.kind !== "stored") return recorded
    if (this.deliveries.enqueue(recorded.eventId, target, now) !== "unconfigured")
      await this.scheduleAlarm()
    return { kind: "stored" }
  }

  /**
   * Queues one of the gateway's own events (`broadcast.paused`, `.completed`,
   * `.progress`) for the client's webhook or the broadcast's `notifyUrl`: stored once per
   * (subject, key), signed and retried like the provider's callbacks.
   */
  async enqueueEvent(clientId: string, event: GatewayEvent): Promise<void> {
    const target = await this.forwardingTargetOf(clientId, event.forwardTo)
    const now = Date.now()
    const recorded = this.events.recordOwn(event, now)
    if (recorded.kind !== "stored") return
    if (this.deliveries.enqueue(recorded.eventId, target, now) !== "unconfigured")
      await this.scheduleAlarm()
  }

  /** A send and its events, by the provider's campaign id or the gateway's send id. */
  campaign(id: string): CampaignView | null {
    return campaignView(this.sql, id)
  }

  /**
   * Purges what has outlived its retention, starts the due webhook attempts, sets the next
   * alarm, then waits a little for the attempts (see the class doc).
   */
  override async alarm(): Promise<void> {
    const settings = ledgerSettings(this.env)
    purgeExpired(this.sql, Date.now(), settings)
    const config = await gatewayConfig(this.env)
    const clientId = rememberedClient(this.sql)
    const client =
      "problem" in config || clientId === undefined
        ? undefined
        : config.clients.find((c) => c.id === clientId)
    const schedule = "problem" in config ? [] : config.webhookRetryScheduleMs
    this.deliveries.startDue(Date.now(), client?.webhookSecret, schedule, settings)
    // Set before waiting on anyone: the other due rows must not wait for slow receivers.
    await this.scheduleAlarm(settings)
    await this.deliveries.waitForAttempts(ALARM_HOLD_MS)
  }

  /**
   * Sets the alarm for the earliest of the deliveries' next wake-up and the next purge,
   * unless an earlier alarm is already set.
   */
  private async scheduleAlarm(settings: LedgerSettings = ledgerSettings(this.env)): Promise<void> {
    const delivery = this.deliveries.nextWakeAt(Date.now(), settings)
    const purge = nextPurgeAt(this.sql, settings)
    const next = Math.min(delivery ?? Number.POSITIVE_INFINITY, purge ?? Number.POSITIVE_INFINITY)
    if (!Number.isFinite(next)) return
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > next) await this.ctx.storage.setAlarm(next)
  }

  /** Where an event of this client goes: its own `forwardTo`, else the client's webhook. */
  private async forwardingTargetOf(clientId: string, forwardTo: string | undefined) {
    rememberClient(this.sql, clientId)
    const client = await this.client(clientId)
    return forwardingTarget(forwardTo ?? client?.webhookUrl, client?.webhookSecret)
  }

  private async client(clientId: string) {
    const config = await gatewayConfig(this.env)
    return "problem" in config ? undefined : config.clients.find((c) => c.id === clientId)
  }
}
