import { signWebhook } from "@voicepartner/core/webhooks/standardWebhooks"
import * as Redacted from "effect/Redacted"
import { sha256Hex } from "../auth/digest.js"
import { forwardRequest } from "./forwardRequest.js"
import { destinationOf } from "./ledgerSchema.js"
import type { LedgerSettings } from "./ledgerSettings.js"
import { nextAttemptAt } from "./retrySchedule.js"
import type { Sends } from "./sends.js"

/** Attempts one alarm starts, all destinations together (subrequests are bounded). */
export const BATCH = 25
/** A lease outlives its attempt's timeout by this much: signing, recording the outcome. */
export const LEASE_GRACE_MS = 5_000

interface DueRow extends Record<string, SqlStorageValue> {
  event_id: string
  url: string
  attempts: number
}

/** An attempt's HTTP status (0: no answer, timeout or network), or why it was not made. */
type AttemptResult = number | "unconfigured" | "refused"

/**
 * Ties a 410's disabling to the client's webhook configuration: a new URL or a new secret
 * in `CLIENTS` gives another fingerprint, so the URL is tried again. Hashed: the ledger
 * never stores the secret.
 */
export const configurationFingerprint = (
  url: string,
  secret: Redacted.Redacted<string>,
): Promise<string> => sha256Hex(`voicepartner-webhook-config/v1\n${url}\n${Redacted.value(secret)}`)

/** Where an event is forwarded: both known, or it cannot be (`unconfigured`). */
export interface ForwardingTarget {
  readonly url: string | undefined
  /** {@link configurationFingerprint} of the URL and the client's secret, when both exist. */
  readonly fingerprint: string | undefined
}

/** The target of an event: its send's `notifyUrl` or the client's webhook, and the secret. */
export const forwardingTarget = async (
  url: string | undefined,
  secret: Redacted.Redacted<string> | undefined,
): Promise<ForwardingTarget> => ({
  url,
  fingerprint:
    url === undefined || secret === undefined
      ? undefined
      : await configurationFingerprint(url, secret),
})

/** What a {@link WebhookDeliveries} needs from its Durable Object. */
export interface DeliveryHost {
  readonly sql: SqlStorage
  /** Attempts are activity of their send (retention). */
  readonly sends: Sends
  /** Keeps an attempt alive after the alarm that started it returns (`ctx.waitUntil`). */
  readonly waitUntil: (promise: Promise<unknown>) => void
  /** Whether the outbound policy lets the gateway fetch `url` now. */
  readonly mayFetch: (url: string) => Promise<boolean>
  /** Called once an attempt's outcome is recorded: the object's alarm is set again. */
  readonly afterAttempt: (settings: LedgerSettings) => Promise<void>
  /** The clock (default `Date.now`). */
  readonly now?: () => number
}

/** Waits for `promises` to settle, or `ms`, whichever comes first. */
const settledWithin = async (promises: ReadonlyArray<Promise<unknown>>, ms: number) => {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([
    Promise.allSettled(promises),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms)
    }),
  ])
  if (timer !== undefined) clearTimeout(timer)
}

/**
 * Forwarding stored events to the client's webhook (table `deliveries`), signed per the
 * Standard Webhooks spec, retried on the `WEBHOOK_RETRY_SCHEDULE` until a 2xx. An event of
 * a drop-in send that gave its own `notifyUrl` goes there as Voice Partner sent it (a GET
 * with its query, or its JSON POST), with the same headers (`forwardRequest.ts`).
 *
 * Forwarding is **at-least-once**: receivers dedupe by `webhook-id` (the event id, the same
 * on every attempt). Before a request leaves, its row takes a lease (`lease_until`, the
 * attempt's timeout plus {@link LEASE_GRACE_MS}); if the object dies mid-attempt the row is
 * due again when the lease ends. Each destination (URL origin) has at most
 * `WEBHOOK_CONCURRENCY` attempts in flight, each aborted after `WEBHOOK_TIMEOUT`.
 * {@link WebhookDeliveries.startDue} starts the due attempts of every destination with
 * room and returns without waiting for them: an attempt records its own outcome, so a
 * slow destination holds back only its own events. Attempts are promises of this
 * instance (also given to `waitUntil`); if the object is evicted first, the lease brings
 * the row back. Redirects are not followed: a 3xx is a failed attempt. A 410 disables the
 * URL for the current webhook configuration (see {@link configurationFingerprint}).
 *
 * @example
 * ```ts
 * import { WebhookDeliveries } from "./deliveries.js"
 * import { ledgerSettings } from "./ledgerSettings.js"
 * import { Sends } from "./sends.js"
 *
 * async function forwardDue(state: DurableObjectState, schedule: ReadonlyArray<number>) {
 *   const sql = state.storage.sql
 *   const deliveries = new WebhookDeliveries({
 *     sql,
 *     sends: new Sends(sql),
 *     waitUntil: (promise) => state.waitUntil(promise),
 *     mayFetch: async (url) => url.startsWith("https://"),
 *     afterAttempt: async () => {},
 *   })
 *   const settings = ledgerSettings({})
 *   deliveries.startDue(Date.now(), undefined, schedule, settings)
 *   await deliveries.waitForAttempts(1_000)
 *   return deliveries.nextWakeAt(Date.now(), settings) // null: nothing left to forward
 * }
 * ```
 */
export class WebhookDeliveries {
  /** Attempts running in this instance (they may outlive the alarm that started them). */
  private readonly inFlight = new Set<Promise<void>>()
  private readonly sql: SqlStorage
  private readonly now: () => number

  constructor(private readonly host: DeliveryHost) {
    this.sql = host.sql
    this.now = host.now ?? (() => Date.now())
  }

  /**
   * Queues an event's forwarding, due at `now`: `pending`; `disabled` if its URL answered
   * 410 under the same configuration; `unconfigured` (never attempted) without a URL or
   * a secret. Returns the row's state: only a configured one needs the alarm.
   */
  enqueue(
    eventId: string,
    target: ForwardingTarget,
    now: number,
  ): "pending" | "disabled" | "unconfigured" {
    const { url, fingerprint } = target
    if (url === undefined || fingerprint === undefined) {
      this.sql.exec(
        `INSERT INTO deliveries (event_id, url, destination, state, attempts) VALUES (?, ?, '', 'unconfigured', 0)`,
        eventId,
        url ?? "",
      )
      return "unconfigured"
    }
    const disabled =
      this.sql
        .exec(`SELECT 1 FROM disabled_urls WHERE url = ? AND fingerprint = ?`, url, fingerprint)
        .toArray().length > 0
    this.sql.exec(
      `INSERT INTO deliveries (event_id, url, destination, state, attempts, next_at) VALUES (?, ?, ?, ?, 0, ?)`,
      eventId,
      url,
      destinationOf(url),
      disabled ? "disabled" : "pending",
      disabled ? null : now,
    )
    return disabled ? "disabled" : "pending"
  }

  /**
   * Leases and starts the deliveries due at `now`, at most {@link BATCH}, destinations with
   * room first by longest wait; does not wait for them (see {@link waitForAttempts}).
   * `secret`: the client's webhook secret (none: each attempt ends `unconfigured`).
   */
  startDue(
    now: number,
    secret: Redacted.Redacted<string> | undefined,
    schedule: ReadonlyArray<number>,
    settings: LedgerSettings,
  ): void {
    const busy = this.busyDestinations(now)
    const destinations = this.sql
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
      const due = this.sql
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
        // next_at = the lease's end: the row is due again only if its attempt never settles.
        this.sql.exec(
          `UPDATE deliveries SET attempts = ?, lease_until = ?, next_at = ? WHERE event_id = ?`,
          attempts,
          lease,
          lease,
          row.event_id,
        )
        this.host.sends.touchByEvent(row.event_id, now)
        const attempt: Promise<void> = this.attempt(
          row,
          attempts,
          lease,
          secret,
          schedule,
          settings,
        ).finally(() => this.inFlight.delete(attempt))
        this.inFlight.add(attempt)
        this.host.waitUntil(attempt)
        budget--
      }
      if (budget === 0) break
    }
  }

  /** Waits for the attempts in flight to settle, or `ms`, whichever comes first. */
  waitForAttempts(ms: number): Promise<void> {
    return settledWithin([...this.inFlight], ms)
  }

  /**
   * When the alarm must wake for deliveries: the earliest `next_at` of a pending row, a
   * leased row's `next_at` being its lease's end (a crashed attempt). Rows of destinations
   * at their concurrency limit that are already due are left out: their attempts' ends
   * wake the object instead (each calls {@link DeliveryHost.afterAttempt}). `null`: none.
   */
  nextWakeAt(now: number, settings: LedgerSettings): number | null {
    const saturated = [...this.busyDestinations(now)]
      .filter(([, n]) => n >= settings.webhookConcurrency)
      .map(([destination]) => destination)
    return this.sql
      .exec<{ at: number | null }>(
        // The saturated destinations bound as one JSON array (json_each), however many.
        `SELECT MIN(next_at) AS at FROM deliveries WHERE state = 'pending'
         AND (next_at > ? OR destination NOT IN (SELECT value FROM json_each(?)))`,
        now,
        JSON.stringify(saturated),
      )
      .one().at
  }

  /** Attempts in flight per destination: rows whose lease has not ended. */
  private busyDestinations(now: number): Map<string, number> {
    return new Map(
      this.sql
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
    secret: Redacted.Redacted<string> | undefined,
    schedule: ReadonlyArray<number>,
    settings: LedgerSettings,
  ): Promise<void> {
    try {
      const result = await this.post(row, secret, settings.webhookTimeoutMs)
      const fingerprint =
        result === 410 && secret !== undefined
          ? await configurationFingerprint(row.url, secret)
          : undefined
      this.settle(row, attempts, lease, result, fingerprint, schedule)
      await this.host.afterAttempt(settings)
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

  /**
   * Sends an event, signed, without following redirects, within `timeoutMs`: the envelope,
   * or for a drop-in send's own `notifyUrl` the provider's request (see `forwardRequest.ts`).
   */
  private async post(
    row: DueRow,
    secret: Redacted.Redacted<string> | undefined,
    timeoutMs: number,
  ): Promise<AttemptResult> {
    const event = this.sql
      .exec<{ type: string; data: string; received_at: number }>(
        `SELECT type, data, received_at FROM events WHERE id = ?`,
        row.event_id,
      )
      .toArray()[0]
    if (event === undefined || secret === undefined) return "unconfigured"
    const request = forwardRequest(row.url, {
      type: event.type,
      data: JSON.parse(event.data) as Record<string, unknown>,
      receivedAt: event.received_at,
    })
    // Checked again at each attempt, on the URL fetched (a GET's query included): a row
    // stored before the policy (or a tighter allow-list) must not be fetched because it
    // was accepted then.
    if (request === undefined || !(await this.host.mayFetch(request.url))) return "refused"
    try {
      const headers = await signWebhook({
        secret: Redacted.value(secret),
        id: row.event_id,
        timestamp: this.now() / 1000,
        payload: request.signed,
      })
      const response = await fetch(request.url, {
        method: request.method,
        headers: {
          ...headers,
          ...(request.body !== undefined && { "content-type": "application/json" }),
          "user-agent": "voicepartner-gateway",
        },
        ...(request.body !== undefined && { body: request.body }),
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
    const sql = this.sql
    const now = this.now()
    // A row leased again after a stall belongs to the newer attempt: every update below
    // matches the lease this attempt took, so a late outcome changes nothing.
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
      // The URL's other waiting rows too, but not one leased by an attempt in flight:
      // that attempt records its own outcome.
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
    this.host.sends.touchByEvent(row.event_id, now)
  }
}
