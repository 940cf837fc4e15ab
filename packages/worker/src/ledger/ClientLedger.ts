import { DurableObject } from "cloudflare:workers"
import { signWebhook } from "@voicepartner/core/webhooks/standardWebhooks"
import * as Redacted from "effect/Redacted"
import { sha256Hex } from "../auth/digest.js"
import { withoutCallbackUrls } from "../callbacks/redactCallbackUrls.js"
import type { ClientConfig } from "../config/ClientConfig.js"
import { gatewayConfig } from "../config/GatewayConfig.js"
import type { Env } from "../env.js"
import { checkOutboundUrl } from "../security/outboundUrl.js"
import { destinationOf, migrate, scheduledAtOrAfter } from "./ledgerSchema.js"
import { type LedgerSettings, ledgerSettings } from "./ledgerSettings.js"
import type {
  CallbackEvent,
  CampaignView,
  DeliveryView,
  EventView,
  IdempotencyDecision,
  RecordEventOutcome,
  SendRecord,
} from "./ledgerTypes.js"
import { nextAttemptAt } from "./retrySchedule.js"

/** Attempts one alarm starts, all destinations together (subrequests are bounded). */
const BATCH = 25
/** A lease outlives its attempt's timeout by this much: signing, recording the outcome. */
const LEASE_GRACE_MS = 5_000
/** How long an alarm waits for attempts in flight before it returns (see the class doc). */
const ALARM_HOLD_MS = 1_000
/** Sends purged per alarm with their events and deliveries; the alarm comes back for more. */
const PURGE_BATCH = 100
/** A scheduled send whose date cannot be read is kept as long as its callback URL lives. */
const UNREADABLE_SCHEDULE_KEEP_MS = 400 * 86_400_000

interface DueRow extends Record<string, SqlStorageValue> {
  event_id: string
  url: string
  attempts: number
}

/** What one attempt got: the receiver's status, 0 for none (timeout, network), or nothing to send. */
/** An attempt's HTTP status (0: no answer), or why it was not made. */
type AttemptResult = number | "unconfigured" | "refused"

/**
 * Ties a 410's disabling to the client's webhook configuration: a new URL or a new secret
 * in `CLIENTS` gives another fingerprint, so the URL is tried again. Hashed: the ledger
 * never stores the secret.
 */
const configurationFingerprint = (url: string, secret: Redacted.Redacted<string>) =>
  sha256Hex(`voicepartner-webhook-config/v1\n${url}\n${Redacted.value(secret)}`)

/** Waits for `promises` to settle, or `ms`, whichever comes first. */
const settledWithin = async (promises: ReadonlyArray<Promise<unknown>>, ms: number) => {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([
    Promise.allSettled(promises),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms)
    }),
  ])
  clearTimeout(timer)
}

/**
 * Everything the gateway remembers for one client, in SQLite: idempotency keys, sends,
 * the provider's callbacks (each stored once per send) and their forwarding to the
 * client's webhook. One object per client serialises these decisions: a duplicate
 * callback or a concurrent duplicate send is seen by one thread. The schema is versioned
 * and migrated when the object starts (`ledgerSchema.ts`).
 *
 * Forwarding is **at-least-once**: receivers dedupe by `webhook-id` (the event id, the same
 * on every attempt). Before a request leaves, its row takes a lease (`lease_until`, the
 * attempt's timeout plus a grace); if the object dies mid-attempt the row is due again
 * when the lease ends. Each destination (URL origin) has at most `WEBHOOK_CONCURRENCY`
 * attempts in flight, each aborted after `WEBHOOK_TIMEOUT`. An alarm starts the due
 * attempts of every destination with room, reschedules itself (other due rows, lease
 * ends, the next purge) and then waits at most {@link ALARM_HOLD_MS} for them: slower
 * attempts go on in the background and record their own outcome. A slow destination
 * therefore holds back only its own events (alarms of one object run one at a time,
 * so an alarm awaiting a hanging receiver would hold back everyone's). An attempt outlives
 * its alarm as a promise of the object (also given to `ctx.waitUntil`); if the object is
 * evicted first, the lease brings the row back. Redirects are not
 * followed: a 3xx is a failed attempt. A 410 disables the URL for the current webhook
 * configuration (see {@link configurationFingerprint}).
 *
 * Retention (see `ledgerSettings.ts`): a send, its events and deliveries are purged
 * `RETENTION_DAYS` (30) after the send's last activity: its creation, its scheduled date,
 * its last event or delivery attempt. Idempotency keys go after
 * `IDEMPOTENCY_RETENTION_HOURS` (24), 410 disablings after `RETENTION_DAYS`. Purging is
 * done by the alarm, which is always set for the next purge.
 *
 * @example
 * ```ts
 * const ledger = env.LEDGER.get(env.LEDGER.idFromName(client.id))
 * const decision = await ledger.beginIdempotent(client.id, "order-42", bodyHash)
 * ```
 */
export class ClientLedger extends DurableObject<Env> {
  /** Attempts running in this instance (they may outlive the alarm that started them). */
  private readonly inFlight = new Set<Promise<void>>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    migrate(ctx.storage)
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
    this.remember(clientId)
    const settings = ledgerSettings(this.env)
    const now = Date.now()
    const sql = this.ctx.storage.sql
    const row = sql
      .exec<{
        body_hash: string
        state: string
        status: number | null
        body: string | null
        created_at: number
      }>(`SELECT body_hash, state, status, body, created_at FROM idempotency WHERE key = ?`, key)
      .toArray()[0]
    if (row === undefined || row.created_at <= now - settings.idempotencyRetentionMs) {
      sql.exec(
        `INSERT OR REPLACE INTO idempotency (key, body_hash, state, created_at) VALUES (?, ?, 'pending', ?)`,
        key,
        bodyHash,
        now,
      )
      await this.scheduleAlarm(settings)
      return { kind: "proceed" }
    }
    if (row.body_hash !== bodyHash) return { kind: "mismatch" }
    if (row.state !== "done" || row.status === null || row.body === null)
      return { kind: "inFlight" }
    return { kind: "replay", status: row.status, body: row.body }
  }

  /** Stores the answer of a request that was (or may have been) sent, for replays. */
  finishIdempotent(key: string, status: number, body: string): void {
    this.ctx.storage.sql.exec(
      `UPDATE idempotency SET state = 'done', status = ?, body = ? WHERE key = ?`,
      status,
      withoutCallbackUrls(body),
      key,
    )
  }

  /** Frees a key whose request certainly sent nothing (quota refusal, connection refused). */
  abandonIdempotent(key: string): void {
    this.ctx.storage.sql.exec(`DELETE FROM idempotency WHERE key = ? AND state = 'pending'`, key)
  }

  /** Records how a send ended; its retention counts from its scheduled date when later. */
  async recordSend(clientId: string, record: SendRecord): Promise<void> {
    this.remember(clientId)
    const scheduled =
      scheduledAtOrAfter(record.scheduledDate) ??
      (record.scheduledDate === undefined
        ? undefined
        : record.createdAt + UNREADABLE_SCHEDULE_KEEP_MS)
    this.ctx.storage.sql.exec(
      `INSERT OR REPLACE INTO sends (send_id, campaign_id, created_at, active_at, record)
       VALUES (?, ?, ?, ?, ?)`,
      record.sendId,
      record.campaignId ?? null,
      record.createdAt,
      Math.max(record.createdAt, scheduled ?? 0),
      withoutCallbackUrls(JSON.stringify(record)),
    )
    await this.scheduleAlarm()
  }

  /**
   * Whether this client sent the campaign: a send recorded with outcome `sent` and this
   * campaign id. Only then may it cancel the campaign (another client's ids are
   * sequential, hence guessable). A send of unknown outcome does not count, even once a
   * callback told its campaign id: that comes after the campaign ran.
   */
  ownsCampaign(campaignId: string): boolean {
    return (
      this.ctx.storage.sql
        .exec(
          `SELECT 1 FROM sends WHERE campaign_id = ? AND json_extract(record, '$.outcome') = 'sent' LIMIT 1`,
          campaignId,
        )
        .toArray().length > 0
    )
  }

  /**
   * Stores a callback for the send its URL was minted for, once per (send, number,
   * status), and schedules its forwarding.
   *
   * - No send recorded with this id: `sendNotRecorded`, nothing stored. The provider can
   *   call back before the gateway has recorded the send's answer; it retries a refused
   *   callback (the route answers 503 with `Retry-After`).
   * - The send is recorded with another campaign id: `campaignMismatch`, nothing stored.
   * - The send has no campaign id yet (its outcome was unknown: the connection dropped
   *   after the provider took it): the first stored event binds its campaign id to the
   *   send. The URL is a credential minted for this send alone, so its first callback is
   *   the provider's word on which campaign it became.
   */
  async recordEvent(clientId: string, event: CallbackEvent): Promise<RecordEventOutcome> {
    this.remember(clientId)
    const client = await this.client(clientId)
    const url = event.forwardTo ?? client?.webhookUrl
    const secret = client?.webhookSecret
    const fingerprint =
      url === undefined || secret === undefined
        ? undefined
        : await configurationFingerprint(url, secret)
    // From here on synchronous: the checks and the writes see one state of the ledger.
    const sql = this.ctx.storage.sql
    const now = Date.now()
    const send = sql
      .exec<{ campaign_id: string | null }>(
        `SELECT campaign_id FROM sends WHERE send_id = ?`,
        event.sendId,
      )
      .toArray()[0]
    if (send === undefined) return { kind: "sendNotRecorded" }
    if (send.campaign_id !== null && send.campaign_id !== event.campaignId)
      return { kind: "campaignMismatch" }
    const id = `evt_${crypto.randomUUID().replace(/-/g, "")}`
    const cursor = sql.exec(
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
    sql.exec(
      `UPDATE sends SET
         record = CASE WHEN campaign_id IS NULL THEN json_set(record, '$.campaignId', ?) ELSE record END,
         campaign_id = COALESCE(campaign_id, ?),
         active_at = MAX(active_at, ?)
       WHERE send_id = ?`,
      event.campaignId,
      event.campaignId,
      now,
      event.sendId,
    )
    if (url === undefined || fingerprint === undefined) {
      sql.exec(
        `INSERT INTO deliveries (event_id, url, destination, state, attempts) VALUES (?, ?, '', 'unconfigured', 0)`,
        id,
        url ?? "",
      )
      return { kind: "stored" }
    }
    const disabled =
      sql
        .exec(`SELECT 1 FROM disabled_urls WHERE url = ? AND fingerprint = ?`, url, fingerprint)
        .toArray().length > 0
    sql.exec(
      `INSERT INTO deliveries (event_id, url, destination, state, attempts, next_at) VALUES (?, ?, ?, ?, 0, ?)`,
      id,
      url,
      destinationOf(url),
      disabled ? "disabled" : "pending",
      disabled ? null : now,
    )
    await this.scheduleAlarm()
    return { kind: "stored" }
  }

  /** A send and its events, by the provider's campaign id or the gateway's send id. */
  campaign(id: string): CampaignView | null {
    const sql = this.ctx.storage.sql
    const sendRow = sql
      .exec<{ send_id: string; record: string }>(
        `SELECT send_id, record FROM sends WHERE campaign_id = ? OR send_id = ?
         ORDER BY created_at DESC LIMIT 1`,
        id,
        id,
      )
      .toArray()[0]
    const sendId = sendRow?.send_id ?? id
    const events = sql
      .exec<{
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
      }>(
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

  /**
   * Purges what has outlived its retention, starts the due webhook attempts, sets the next
   * alarm, then waits a little for the attempts (see the class doc).
   */
  override async alarm(): Promise<void> {
    const settings = ledgerSettings(this.env)
    this.purge(Date.now(), settings)
    const config = await gatewayConfig(this.env)
    const clientId = this.clientId()
    const client =
      "problem" in config || clientId === undefined
        ? undefined
        : config.clients.find((c) => c.id === clientId)
    const schedule = "problem" in config ? [] : config.webhookRetryScheduleMs
    this.startDue(Date.now(), client, schedule, settings)
    // Set before waiting on anyone: the other due rows must not wait for slow receivers.
    await this.scheduleAlarm(settings)
    await settledWithin([...this.inFlight], ALARM_HOLD_MS)
  }

  /** Leases and starts due deliveries, destinations with room first by longest wait. */
  private startDue(
    now: number,
    client: ClientConfig | undefined,
    schedule: ReadonlyArray<number>,
    settings: LedgerSettings,
  ): void {
    const sql = this.ctx.storage.sql
    const busy = this.busyDestinations(now)
    const destinations = sql
      .exec<{ destination: string; first: number }>(
        `SELECT destination, MIN(next_at) AS first FROM deliveries
         WHERE state = 'pending' AND next_at <= ? GROUP BY destination ORDER BY first`,
        now,
      )
      .toArray()
    let budget = BATCH
    for (const { destination } of destinations) {
      const room = Math.min(settings.webhookConcurrency - (busy.get(destination) ?? 0), budget)
      if (room <= 0) continue
      const due = sql
        .exec<DueRow>(
          `SELECT event_id, url, attempts FROM deliveries
           WHERE state = 'pending' AND destination = ? AND next_at <= ? ORDER BY next_at LIMIT ?`,
          destination,
          now,
          room,
        )
        .toArray()
      for (const row of due) {
        const lease = now + settings.webhookTimeoutMs + LEASE_GRACE_MS
        const attempts = row.attempts + 1
        // Counted when started: a crash mid-attempt spends a try too, so retries stay bounded.
        sql.exec(
          `UPDATE deliveries SET attempts = ?, lease_until = ?, next_at = ? WHERE event_id = ?`,
          attempts,
          lease,
          lease,
          row.event_id,
        )
        this.touchSend(row.event_id, now)
        const attempt: Promise<void> = this.attempt(
          row,
          attempts,
          lease,
          client,
          schedule,
          settings,
        ).finally(() => this.inFlight.delete(attempt))
        this.inFlight.add(attempt)
        this.ctx.waitUntil(attempt)
        budget--
      }
      if (budget === 0) break
    }
  }

  /** Attempts in flight per destination: rows whose lease has not ended. */
  private busyDestinations(now: number): Map<string, number> {
    return new Map(
      this.ctx.storage.sql
        .exec<{ destination: string; n: number }>(
          `SELECT destination, COUNT(*) AS n FROM deliveries
           WHERE state = 'pending' AND lease_until > ? GROUP BY destination`,
          now,
        )
        .toArray()
        .map((r) => [r.destination, r.n]),
    )
  }

  /** One attempt, from the request to its recorded outcome; never rejects. */
  private async attempt(
    row: DueRow,
    attempts: number,
    lease: number,
    client: ClientConfig | undefined,
    schedule: ReadonlyArray<number>,
    settings: LedgerSettings,
  ): Promise<void> {
    try {
      const secret = client?.webhookSecret
      const result = await this.post(row, secret, settings.webhookTimeoutMs)
      const fingerprint =
        result === 410 && secret !== undefined
          ? await configurationFingerprint(row.url, secret)
          : undefined
      this.settle(row, attempts, lease, result, fingerprint, schedule)
      await this.scheduleAlarm(settings)
    } catch (error) {
      // Not expected (post() catches network errors); the lease makes the row due again.
      console.error(
        JSON.stringify({
          level: "error",
          msg: "webhook attempt failed",
          error: error instanceof Error ? error.name : "unknown",
        }),
      )
    }
  }

  /** POSTs an event, signed, without following redirects, within `timeoutMs`. */
  private async post(
    row: DueRow,
    secret: Redacted.Redacted<string> | undefined,
    timeoutMs: number,
  ): Promise<AttemptResult> {
    const event = this.ctx.storage.sql
      .exec<{ type: string; data: string; received_at: number }>(
        `SELECT type, data, received_at FROM events WHERE id = ?`,
        row.event_id,
      )
      .toArray()[0]
    if (event === undefined || secret === undefined) return "unconfigured"
    // Checked again at each attempt: a row stored before the policy (or a tighter
    // allow-list) must not be fetched because it was accepted then.
    const config = await gatewayConfig(this.env)
    if ("problem" in config || !checkOutboundUrl(row.url, config.outboundHttpAllow).ok)
      return "refused"
    const payload = JSON.stringify({
      type: event.type,
      timestamp: new Date(event.received_at).toISOString(),
      data: JSON.parse(event.data) as unknown,
    })
    try {
      const headers = await signWebhook({
        secret: Redacted.value(secret),
        id: row.event_id,
        timestamp: Date.now() / 1000,
        payload,
      })
      const response = await fetch(row.url, {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          "user-agent": "voicepartner-gateway",
        },
        body: payload,
        // A redirect could lead anywhere, past the outbound policy: a 3xx is a failure.
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      })
      const status = response.status
      await response.body?.cancel().catch(() => undefined)
      return status
    } catch {
      return 0
    }
  }

  /** Records an attempt's outcome, if the attempt still holds the row's lease. */
  private settle(
    row: DueRow,
    attempts: number,
    lease: number,
    result: AttemptResult,
    fingerprint: string | undefined,
    schedule: ReadonlyArray<number>,
  ): void {
    const sql = this.ctx.storage.sql
    const now = Date.now()
    // A row leased again after a stall belongs to the newer attempt.
    const mine = `event_id = ? AND lease_until = ?`
    if (result === "unconfigured" || result === "refused") {
      sql.exec(
        `UPDATE deliveries SET state = ?, next_at = NULL, lease_until = NULL WHERE ${mine}`,
        result === "refused" ? "failed" : "unconfigured",
        row.event_id,
        lease,
      )
    } else if (result >= 200 && result < 300) {
      sql.exec(
        `UPDATE deliveries SET state = 'delivered', last_status = ?, next_at = NULL, lease_until = NULL WHERE ${mine}`,
        result,
        row.event_id,
        lease,
      )
    } else if (result === 410) {
      // The receiver says it is gone for good: stop sending it anything under this configuration.
      sql.exec(
        `UPDATE deliveries SET state = 'disabled', last_status = 410, next_at = NULL, lease_until = NULL WHERE ${mine}`,
        row.event_id,
        lease,
      )
      if (fingerprint !== undefined)
        sql.exec(
          `INSERT OR IGNORE INTO disabled_urls (url, fingerprint, at) VALUES (?, ?, ?)`,
          row.url,
          fingerprint,
          now,
        )
      sql.exec(
        `UPDATE deliveries SET state = 'disabled', next_at = NULL
         WHERE url = ? AND state = 'pending' AND (lease_until IS NULL OR lease_until <= ?)`,
        row.url,
        now,
      )
    } else {
      const next = nextAttemptAt(schedule, attempts, now, Math.random())
      sql.exec(
        `UPDATE deliveries SET state = ?, last_status = ?, next_at = ?, lease_until = NULL WHERE ${mine}`,
        next === undefined ? "failed" : "pending",
        result === 0 ? null : result,
        next ?? null,
        row.event_id,
        lease,
      )
    }
    this.touchSend(row.event_id, now)
  }

  /** Purges what outlived its retention (see the class doc). */
  private purge(now: number, settings: LedgerSettings): void {
    const sql = this.ctx.storage.sql
    const cutoff = now - settings.retentionMs
    sql.exec(`DELETE FROM idempotency WHERE created_at <= ?`, now - settings.idempotencyRetentionMs)
    sql.exec(`DELETE FROM disabled_urls WHERE at <= ?`, cutoff)
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

  /**
   * Sets the alarm for the earliest of: a delivery due at a destination with room, a
   * lease's end (a crashed attempt), the next purge. Destinations at their concurrency
   * limit are woken by their attempts' ends instead (each calls this again).
   */
  private async scheduleAlarm(settings: LedgerSettings = ledgerSettings(this.env)): Promise<void> {
    const sql = this.ctx.storage.sql
    const now = Date.now()
    const saturated = [...this.busyDestinations(now)]
      .filter(([, n]) => n >= settings.webhookConcurrency)
      .map(([destination]) => destination)
    const delivery = sql
      .exec<{ at: number | null }>(
        `SELECT MIN(next_at) AS at FROM deliveries WHERE state = 'pending'
         AND (next_at > ? OR destination NOT IN (SELECT value FROM json_each(?)))`,
        now,
        JSON.stringify(saturated),
      )
      .one().at
    const purge = sql
      .exec<{ at: number | null }>(
        `SELECT MIN(at) AS at FROM (
           SELECT MIN(active_at) + ? AS at FROM sends
           UNION ALL SELECT MIN(created_at) + ? FROM idempotency
           UNION ALL SELECT MIN(at) + ? FROM disabled_urls)`,
        settings.retentionMs,
        settings.idempotencyRetentionMs,
        settings.retentionMs,
      )
      .one().at
    const next = Math.min(delivery ?? Number.POSITIVE_INFINITY, purge ?? Number.POSITIVE_INFINITY)
    if (!Number.isFinite(next)) return
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > next) await this.ctx.storage.setAlarm(next)
  }

  /** A delivery attempt is activity of its send: retention counts from the last one. */
  private touchSend(eventId: string, now: number): void {
    this.ctx.storage.sql.exec(
      `UPDATE sends SET active_at = MAX(active_at, ?)
       WHERE send_id = (SELECT send_id FROM events WHERE id = ?)`,
      now,
      eventId,
    )
  }

  private remember(clientId: string): void {
    this.ctx.storage.sql.exec(
      `INSERT OR IGNORE INTO meta (key, value) VALUES ('client', ?)`,
      clientId,
    )
  }

  private clientId(): string | undefined {
    return this.ctx.storage.sql
      .exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'client'`)
      .toArray()[0]?.value
  }

  private async client(clientId: string) {
    const config = await gatewayConfig(this.env)
    return "problem" in config ? undefined : config.clients.find((c) => c.id === clientId)
  }
}
