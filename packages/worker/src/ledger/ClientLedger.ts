import { DurableObject } from "cloudflare:workers"
import { signWebhook } from "@voicepartner/core/webhooks/standardWebhooks"
import * as Redacted from "effect/Redacted"
import { gatewayConfig } from "../config/GatewayConfig.js"
import type { Env } from "../env.js"
import type {
  CallbackEvent,
  CampaignView,
  DeliveryView,
  EventView,
  IdempotencyDecision,
  SendRecord,
} from "./ledgerTypes.js"
import { nextAttemptAt } from "./retrySchedule.js"

const IDEMPOTENCY_TTL_MS = 24 * 3_600_000
const DELIVERY_TIMEOUT_MS = 10_000
const BATCH = 25

interface DeliveryRow extends Record<string, SqlStorageValue> {
  event_id: string
  url: string
  attempts: number
}

/**
 * Everything the gateway remembers for one client, in SQLite: idempotency keys, sends,
 * the provider's callbacks (each stored once) and their forwarding to the client's
 * webhook, retried through alarms until a 2xx. One object per client serialises these
 * decisions: a duplicate callback or a concurrent duplicate send is seen by one thread.
 *
 * @example
 * ```ts
 * const ledger = env.LEDGER.get(env.LEDGER.idFromName(client.id))
 * const decision = await ledger.beginIdempotent("order-42", bodyHash)
 * ```
 */
export class ClientLedger extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    const sql = ctx.storage.sql
    sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`)
    sql.exec(`CREATE TABLE IF NOT EXISTS idempotency (
      key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, state TEXT NOT NULL,
      status INTEGER, body TEXT, created_at INTEGER NOT NULL)`)
    sql.exec(`CREATE TABLE IF NOT EXISTS sends (
      send_id TEXT PRIMARY KEY, campaign_id TEXT, created_at INTEGER NOT NULL, record TEXT NOT NULL)`)
    sql.exec(`CREATE INDEX IF NOT EXISTS sends_by_campaign ON sends (campaign_id)`)
    sql.exec(`CREATE TABLE IF NOT EXISTS events (
      id TEXT PRIMARY KEY, send_id TEXT NOT NULL, campaign_id TEXT NOT NULL,
      phone_number TEXT NOT NULL, status TEXT NOT NULL, type TEXT NOT NULL,
      received_at INTEGER NOT NULL, data TEXT NOT NULL,
      UNIQUE (campaign_id, phone_number, status))`)
    sql.exec(`CREATE INDEX IF NOT EXISTS events_by_send ON events (send_id)`)
    sql.exec(`CREATE TABLE IF NOT EXISTS deliveries (
      event_id TEXT PRIMARY KEY, url TEXT NOT NULL, state TEXT NOT NULL,
      attempts INTEGER NOT NULL, next_at INTEGER, last_status INTEGER)`)
    sql.exec(`CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_at)`)
    sql.exec(`CREATE TABLE IF NOT EXISTS disabled_urls (url TEXT PRIMARY KEY, at INTEGER NOT NULL)`)
  }

  /**
   * Claims an idempotency key: `proceed` the first time (the key is then in flight),
   * `replay` with the stored answer for the same body, `mismatch` for another body,
   * `inFlight` while the first request is still being sent.
   */
  beginIdempotent(clientId: string, key: string, bodyHash: string): IdempotencyDecision {
    this.remember(clientId)
    const now = Date.now()
    const sql = this.ctx.storage.sql
    sql.exec(`DELETE FROM idempotency WHERE created_at < ?`, now - IDEMPOTENCY_TTL_MS)
    const row = sql
      .exec<{ body_hash: string; state: string; status: number | null; body: string | null }>(
        `SELECT body_hash, state, status, body FROM idempotency WHERE key = ?`,
        key,
      )
      .toArray()[0]
    if (row === undefined) {
      sql.exec(
        `INSERT INTO idempotency (key, body_hash, state, created_at) VALUES (?, ?, 'pending', ?)`,
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
  finishIdempotent(key: string, status: number, body: string): void {
    this.ctx.storage.sql.exec(
      `UPDATE idempotency SET state = 'done', status = ?, body = ? WHERE key = ?`,
      status,
      body,
      key,
    )
  }

  /** Frees a key whose request certainly sent nothing (quota refusal, connection refused). */
  abandonIdempotent(key: string): void {
    this.ctx.storage.sql.exec(`DELETE FROM idempotency WHERE key = ? AND state = 'pending'`, key)
  }

  recordSend(clientId: string, record: SendRecord): void {
    this.remember(clientId)
    this.ctx.storage.sql.exec(
      `INSERT OR REPLACE INTO sends (send_id, campaign_id, created_at, record) VALUES (?, ?, ?, ?)`,
      record.sendId,
      record.campaignId ?? null,
      record.createdAt,
      JSON.stringify(record),
    )
  }

  /**
   * Stores a callback unless the same (campaign, number, status) was already stored, and
   * schedules its forwarding. Answers whether it was new.
   */
  async recordEvent(clientId: string, event: CallbackEvent): Promise<{ readonly stored: boolean }> {
    this.remember(clientId)
    const now = Date.now()
    const sql = this.ctx.storage.sql
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
      JSON.stringify(event.data),
    )
    if (cursor.rowsWritten === 0) return { stored: false }
    const url = event.forwardTo ?? (await this.client(clientId))?.webhookUrl
    if (url === undefined) {
      sql.exec(
        `INSERT INTO deliveries (event_id, url, state, attempts) VALUES (?, '', 'unconfigured', 0)`,
        id,
      )
      return { stored: true }
    }
    const disabled = sql.exec(`SELECT 1 FROM disabled_urls WHERE url = ?`, url).toArray().length > 0
    sql.exec(
      `INSERT INTO deliveries (event_id, url, state, attempts, next_at) VALUES (?, ?, ?, 0, ?)`,
      id,
      url,
      disabled ? "disabled" : "pending",
      disabled ? null : now,
    )
    if (!disabled) await this.scheduleAlarm()
    return { stored: true }
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

  /** Forwards every due event, then sleeps until the next one is due. */
  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql
    const now = Date.now()
    sql.exec(`DELETE FROM idempotency WHERE created_at < ?`, now - IDEMPOTENCY_TTL_MS)
    const due = sql
      .exec<DeliveryRow>(
        `SELECT event_id, url, attempts FROM deliveries
         WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?`,
        now,
        BATCH,
      )
      .toArray()
    const clientId = this.clientId()
    const client = clientId === undefined ? undefined : await this.client(clientId)
    const config = await gatewayConfig(this.env)
    const schedule = "problem" in config ? [] : config.webhookRetryScheduleMs
    await Promise.all(due.map((row) => this.deliver(row, client?.webhookSecret, schedule)))
    await this.scheduleAlarm()
  }

  private async deliver(
    row: DeliveryRow,
    secret: Redacted.Redacted<string> | undefined,
    schedule: ReadonlyArray<number>,
  ): Promise<void> {
    const sql = this.ctx.storage.sql
    const event = sql
      .exec<{ type: string; data: string; received_at: number }>(
        `SELECT type, data, received_at FROM events WHERE id = ?`,
        row.event_id,
      )
      .toArray()[0]
    if (event === undefined || secret === undefined) {
      sql.exec(
        `UPDATE deliveries SET state = 'unconfigured', next_at = NULL WHERE event_id = ?`,
        row.event_id,
      )
      return
    }
    const payload = JSON.stringify({
      type: event.type,
      timestamp: new Date(event.received_at).toISOString(),
      data: JSON.parse(event.data) as unknown,
    })
    let status = 0
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
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      })
      status = response.status
      await response.body?.cancel()
    } catch {
      status = 0
    }
    const attempts = row.attempts + 1
    const now = Date.now()
    if (status >= 200 && status < 300) {
      sql.exec(
        `UPDATE deliveries SET state = 'delivered', attempts = ?, last_status = ?, next_at = NULL WHERE event_id = ?`,
        attempts,
        status,
        row.event_id,
      )
    } else if (status === 410) {
      // The receiver says it is gone for good: stop sending it anything.
      sql.exec(`INSERT OR IGNORE INTO disabled_urls (url, at) VALUES (?, ?)`, row.url, now)
      sql.exec(
        `UPDATE deliveries SET state = 'disabled', next_at = NULL WHERE url = ? AND state = 'pending'`,
        row.url,
      )
      sql.exec(
        `UPDATE deliveries SET attempts = ?, last_status = 410 WHERE event_id = ?`,
        attempts,
        row.event_id,
      )
    } else {
      const next = nextAttemptAt(schedule, attempts, now, Math.random())
      sql.exec(
        `UPDATE deliveries SET state = ?, attempts = ?, last_status = ?, next_at = ? WHERE event_id = ?`,
        next === undefined ? "failed" : "pending",
        attempts,
        status === 0 ? null : status,
        next ?? null,
        row.event_id,
      )
    }
  }

  private async scheduleAlarm(): Promise<void> {
    const next = this.ctx.storage.sql
      .exec<{ at: number | null }>(
        `SELECT MIN(next_at) AS at FROM deliveries WHERE state = 'pending'`,
      )
      .one().at
    if (next === null) return
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > next) await this.ctx.storage.setAlarm(next)
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
