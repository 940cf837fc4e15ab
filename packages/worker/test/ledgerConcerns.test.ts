// The ledger's concerns tested directly over a ledger's SQLite storage (migrated by the
// object's constructor), with the clock given as arguments: no routes, no upstream.

import { env, runInDurableObject } from "cloudflare:test"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"
import { campaignView } from "../src/ledger/campaignView.js"
import { rememberClient, rememberedClient } from "../src/ledger/clientIdentity.js"
import {
  configurationFingerprint,
  forwardingTarget,
  LEASE_GRACE_MS,
  WebhookDeliveries,
} from "../src/ledger/deliveries.js"
import { Events } from "../src/ledger/events.js"
import { IdempotencyKeys } from "../src/ledger/idempotency.js"
import { ledgerSettings } from "../src/ledger/ledgerSettings.js"
import type { CallbackEvent, SendRecord } from "../src/ledger/ledgerTypes.js"
import {
  nextPurgeAt,
  purgeExpired,
  sendActiveAt,
  UNREADABLE_SCHEDULE_KEEP_MS,
} from "../src/ledger/retention.js"
import { Sends } from "../src/ledger/sends.js"

const DAY = 86_400_000
const T0 = Date.UTC(2030, 0, 1)
const settings = ledgerSettings({})

/** Runs `f` over the storage of a new, empty ledger. */
const withLedger = <T>(f: (sql: SqlStorage, state: DurableObjectState) => T | Promise<T>) =>
  runInDurableObject(
    env.LEDGER.get(env.LEDGER.newUniqueId()),
    (_instance, state: DurableObjectState) => f(state.storage.sql, state),
  )

const record = (sendId: string, overrides: Partial<SendRecord> = {}): SendRecord => ({
  sendId,
  endpoint: "tts/send",
  createdAt: T0,
  recipients: 1,
  outcome: "sent",
  status: 200,
  campaignId: `NDA_${sendId}`,
  cost: undefined,
  currency: undefined,
  scheduledDate: undefined,
  error: undefined,
  ...overrides,
})

const event = (sendId: string, overrides: Partial<CallbackEvent> = {}): CallbackEvent => ({
  sendId,
  campaignId: `NDA_${sendId}`,
  phoneNumber: "+33612345601",
  status: "delivered",
  type: "tts.status",
  data: { status: "delivered" },
  forwardTo: undefined,
  ...overrides,
})

const rows = (sql: SqlStorage, statement: string, ...bindings: Array<SqlStorageValue>) =>
  sql.exec(statement, ...bindings).toArray()

describe("idempotency keys", () => {
  it("claims a key once, replays its answer for the same body, refuses another body", () =>
    withLedger((sql) => {
      const keys = new IdempotencyKeys(sql)
      expect(keys.begin("k", "h1", T0, DAY)).toEqual({ kind: "proceed" })
      expect(keys.begin("k", "h1", T0, DAY)).toEqual({ kind: "inFlight" })
      expect(keys.begin("k", "h2", T0, DAY)).toEqual({ kind: "mismatch" })
      keys.finish("k", 200, '{"success":true}')
      expect(keys.begin("k", "h1", T0 + 1, DAY)).toEqual({
        kind: "replay",
        status: 200,
        body: '{"success":true}',
      })
      expect(keys.begin("k", "h2", T0 + 1, DAY)).toEqual({ kind: "mismatch" })
    }))

  it("treats a key past its retention as new, before any purge", () =>
    withLedger((sql) => {
      const keys = new IdempotencyKeys(sql)
      keys.begin("k", "h1", T0, DAY)
      keys.finish("k", 200, "{}")
      expect(keys.begin("k", "h2", T0 + DAY - 1, DAY)).toEqual({ kind: "mismatch" })
      expect(keys.begin("k", "h2", T0 + DAY, DAY)).toEqual({ kind: "proceed" })
      expect(rows(sql, `SELECT body_hash, state, created_at FROM idempotency`)).toEqual([
        { body_hash: "h2", state: "pending", created_at: T0 + DAY },
      ])
    }))

  it("frees only a pending key, and never stores a callback URL", () =>
    withLedger((sql) => {
      const keys = new IdempotencyKeys(sql)
      keys.begin("pending", "h", T0, DAY)
      keys.abandon("pending")
      expect(keys.begin("pending", "other", T0, DAY)).toEqual({ kind: "proceed" })
      keys.begin("done", "h", T0, DAY)
      keys.finish(
        "done",
        400,
        '{"error":"bad notifyUrl https://gw.test/callbacks/alpha/s/1/-/sig"}',
      )
      keys.abandon("done")
      const replay = keys.begin("done", "h", T0, DAY)
      expect(replay).toMatchObject({ kind: "replay", status: 400 })
      expect(JSON.stringify(replay)).not.toContain("/callbacks/")
    }))
})

describe("sends", () => {
  it("counts retention from creation, or from a later scheduled date", () => {
    expect(sendActiveAt(record("s"))).toBe(T0)
    expect(sendActiveAt(record("s", { scheduledDate: "2030-02-01 10:00:00" }))).toBe(
      Date.UTC(2030, 1, 1, 10),
    )
    expect(sendActiveAt(record("s", { scheduledDate: "2029-01-01 10:00:00" }))).toBe(T0)
    expect(sendActiveAt(record("s", { scheduledDate: "someday" }))).toBe(
      T0 + UNREADABLE_SCHEDULE_KEEP_MS,
    )
  })

  it("owns a campaign only through a send recorded as sent", () =>
    withLedger((sql) => {
      const sends = new Sends(sql)
      sends.record(record("sent"))
      sends.record(record("refused", { outcome: "refused", campaignId: "NDA_refused" }))
      sends.record(record("unknown", { outcome: "unknown", campaignId: undefined }))
      expect(sends.ownsCampaign("NDA_sent")).toBe(true)
      expect(sends.ownsCampaign("NDA_refused")).toBe(false)
      // A callback later binds the unknown send's campaign: still not owned.
      sends.bindEvent("unknown", "NDA_late", T0 + 1)
      expect(sends.campaignIdOf("unknown")).toBe("NDA_late")
      expect(sends.ownsCampaign("NDA_late")).toBe(false)
      expect(sends.campaignIdOf("nope")).toBeUndefined()
    }))

  it("binds a campaign id once, and moves activity forward only", () =>
    withLedger((sql) => {
      const sends = new Sends(sql)
      sends.record(record("s", { outcome: "unknown", campaignId: undefined }))
      expect(sends.campaignIdOf("s")).toBeNull()
      sends.bindEvent("s", "NDA_1", T0 + 10)
      sends.bindEvent("s", "NDA_2", T0 + 5)
      const [row] = rows(sql, `SELECT campaign_id, active_at, record FROM sends`)
      expect(row).toMatchObject({ campaign_id: "NDA_1", active_at: T0 + 10 })
      expect(JSON.parse(row?.record as string)).toMatchObject({ campaignId: "NDA_1" })
    }))
})

describe("events", () => {
  it("stores an event once per (send, number, status), only for a recorded send", () =>
    withLedger((sql) => {
      const sends = new Sends(sql)
      const events = new Events(sql, sends)
      expect(events.record(event("s"), T0)).toEqual({ kind: "sendNotRecorded" })
      sends.record(record("s"))
      const stored = events.record(event("s"), T0 + 1)
      expect(stored).toMatchObject({ kind: "stored", eventId: expect.stringMatching(/^evt_/) })
      expect(events.record(event("s"), T0 + 2)).toEqual({ kind: "duplicate" })
      expect(events.record(event("s", { status: "undelivered" }), T0 + 3)).toMatchObject({
        kind: "stored",
      })
      expect(events.record(event("s", { campaignId: "NDA_other" }), T0 + 4)).toEqual({
        kind: "campaignMismatch",
      })
      expect(rows(sql, `SELECT COUNT(*) AS n FROM events`)).toEqual([{ n: 2 }])
      expect(rows(sql, `SELECT active_at FROM sends`)).toEqual([{ active_at: T0 + 3 }])
    }))

  it("shows a send with its events by campaign id or send id", () =>
    withLedger((sql) => {
      const sends = new Sends(sql)
      const events = new Events(sql, sends)
      expect(campaignView(sql, "NDA_s")).toBeNull()
      sends.record(record("s"))
      events.record(event("s"), T0 + 1_000)
      const view = campaignView(sql, "NDA_s")
      expect(view).toEqual(campaignView(sql, "s"))
      expect(view?.send).toMatchObject({ sendId: "s", outcome: "sent" })
      expect(view?.events).toMatchObject([
        {
          phoneNumber: "+33612345601",
          status: "delivered",
          receivedAt: new Date(T0 + 1_000).toISOString(),
          delivery: undefined,
        },
      ])
    }))
})

describe("deliveries", () => {
  const secret = Redacted.make("whsec_dGVzdC1zZWNyZXQ=")
  const host = (sql: SqlStorage, state: DurableObjectState, mayFetch = false) => ({
    sql,
    sends: new Sends(sql),
    waitUntil: (promise: Promise<unknown>) => state.waitUntil(promise),
    mayFetch: async () => mayFetch,
    afterAttempt: async () => {},
  })
  /** A recorded send with `n` stored events, forwarded to `url`. */
  const stored = async (sql: SqlStorage, deliveries: WebhookDeliveries, url: string, n = 1) => {
    const sends = new Sends(sql)
    const events = new Events(sql, sends)
    sends.record(record("s"))
    const target = await forwardingTarget(url, secret)
    for (let i = 0; i < n; i++) {
      const e = events.record(event("s", { phoneNumber: `+3361234560${i}` }), T0)
      if (e.kind === "stored") deliveries.enqueue(e.eventId, target, T0)
    }
  }

  it("queues an event pending, disabled after a 410 of this configuration, or unconfigured", () =>
    withLedger(async (sql, state) => {
      const deliveries = new WebhookDeliveries(host(sql, state))
      const url = "https://hooks.example/a"
      const target = await forwardingTarget(url, secret)
      expect(target.fingerprint).toBe(await configurationFingerprint(url, secret))
      expect(deliveries.enqueue("e1", target, T0)).toBe("pending")
      expect(deliveries.enqueue("e2", await forwardingTarget(url, undefined), T0)).toBe(
        "unconfigured",
      )
      sql.exec(
        `INSERT INTO disabled_urls (url, fingerprint, at) VALUES (?, ?, ?)`,
        url,
        target.fingerprint as string,
        T0,
      )
      expect(deliveries.enqueue("e3", target, T0)).toBe("disabled")
      // A new secret is another configuration: the URL is tried again.
      const rotated = await forwardingTarget(url, Redacted.make("whsec_b3RoZXI="))
      expect(deliveries.enqueue("e4", rotated, T0)).toBe("pending")
      expect(
        rows(sql, `SELECT event_id, destination, state, next_at FROM deliveries ORDER BY event_id`),
      ).toEqual([
        { event_id: "e1", destination: "https://hooks.example", state: "pending", next_at: T0 },
        { event_id: "e2", destination: "", state: "unconfigured", next_at: null },
        { event_id: "e3", destination: "https://hooks.example", state: "disabled", next_at: null },
        { event_id: "e4", destination: "https://hooks.example", state: "pending", next_at: T0 },
      ])
    }))

  it("leases due rows up to the destination's concurrency; a saturated one wakes no alarm", () =>
    withLedger(async (sql, state) => {
      const deliveries = new WebhookDeliveries(host(sql, state))
      await stored(sql, deliveries, "https://hooks.example/a", 3)
      const two = { ...settings, webhookConcurrency: 2 }
      expect(deliveries.nextWakeAt(T0, two)).toBe(T0)
      // Lease two rows by hand, as startDue does, without their attempts settling.
      const lease = T0 + two.webhookTimeoutMs + LEASE_GRACE_MS
      sql.exec(
        `UPDATE deliveries SET attempts = 1, lease_until = ?, next_at = ?
         WHERE event_id IN (SELECT event_id FROM deliveries ORDER BY event_id LIMIT 2)`,
        lease,
        lease,
      )
      // The third row is due but its destination is full: the leases' ends wake the alarm.
      expect(deliveries.nextWakeAt(T0, two)).toBe(lease)
      expect(deliveries.nextWakeAt(T0, { ...two, webhookConcurrency: 3 })).toBe(T0)
    }))

  it("records an attempt the outbound policy refuses as failed, without fetching", () =>
    withLedger(async (sql, state) => {
      let settled = 0
      const deliveries = new WebhookDeliveries({
        ...host(sql, state, false),
        afterAttempt: async () => {
          settled++
        },
      })
      await stored(sql, deliveries, "https://hooks.example/a", 2)
      deliveries.startDue(T0, secret, [5_000], settings)
      expect(rows(sql, `SELECT attempts, lease_until FROM deliveries`)).toEqual([
        { attempts: 1, lease_until: T0 + settings.webhookTimeoutMs + LEASE_GRACE_MS },
        { attempts: 1, lease_until: T0 + settings.webhookTimeoutMs + LEASE_GRACE_MS },
      ])
      await deliveries.waitForAttempts(5_000)
      expect(settled).toBe(2)
      expect(rows(sql, `SELECT state, next_at, lease_until FROM deliveries`)).toEqual([
        { state: "failed", next_at: null, lease_until: null },
        { state: "failed", next_at: null, lease_until: null },
      ])
      expect(deliveries.nextWakeAt(T0, settings)).toBeNull()
    }))

  it("ends an attempt without a webhook secret as unconfigured", () =>
    withLedger(async (sql, state) => {
      const deliveries = new WebhookDeliveries(host(sql, state, true))
      await stored(sql, deliveries, "https://hooks.example/a")
      deliveries.startDue(T0, undefined, [5_000], settings)
      await deliveries.waitForAttempts(5_000)
      expect(rows(sql, `SELECT state, attempts FROM deliveries`)).toEqual([
        { state: "unconfigured", attempts: 1 },
      ])
    }))
})

describe("retention", () => {
  it("purges a send with its events and deliveries, keys and 410s, each after its period", () =>
    withLedger(async (sql, state) => {
      const sends = new Sends(sql)
      const events = new Events(sql, sends)
      const deliveries = new WebhookDeliveries({
        sql,
        sends,
        waitUntil: (promise) => state.waitUntil(promise),
        mayFetch: async () => false,
        afterAttempt: async () => {},
      })
      expect(nextPurgeAt(sql, settings)).toBeNull()
      sends.record(record("old"))
      sends.record(record("new", { createdAt: T0 + 10 * DAY }))
      const target = await forwardingTarget("https://hooks.example/a", Redacted.make("whsec_eA=="))
      for (const sendId of ["old", "new"]) {
        const e = events.record(event(sendId), T0 + (sendId === "old" ? 1 : 10 * DAY))
        if (e.kind === "stored") deliveries.enqueue(e.eventId, target, T0)
      }
      new IdempotencyKeys(sql).begin("k", "h", T0 + 2 * DAY, settings.idempotencyRetentionMs)
      sql.exec(`INSERT INTO disabled_urls (url, fingerprint, at) VALUES ('u', 'f', ?)`, T0)
      // The earliest: the key, a day after its creation.
      expect(nextPurgeAt(sql, settings)).toBe(T0 + 3 * DAY)

      purgeExpired(sql, T0 + 3 * DAY, settings)
      expect(rows(sql, `SELECT COUNT(*) AS n FROM idempotency`)).toEqual([{ n: 0 }])
      expect(rows(sql, `SELECT COUNT(*) AS n FROM sends`)).toEqual([{ n: 2 }])
      // Then the 410, and the old send: its event moved its activity to T0 + 1.
      expect(nextPurgeAt(sql, settings)).toBe(T0 + settings.retentionMs)
      purgeExpired(sql, T0 + settings.retentionMs, settings)
      expect(rows(sql, `SELECT COUNT(*) AS n FROM disabled_urls`)).toEqual([{ n: 0 }])
      expect(rows(sql, `SELECT COUNT(*) AS n FROM sends`)).toEqual([{ n: 2 }])
      expect(nextPurgeAt(sql, settings)).toBe(T0 + 1 + settings.retentionMs)

      purgeExpired(sql, T0 + 1 + settings.retentionMs, settings)
      expect(rows(sql, `SELECT send_id FROM sends`)).toEqual([{ send_id: "new" }])
      expect(rows(sql, `SELECT send_id FROM events`)).toEqual([{ send_id: "new" }])
      expect(rows(sql, `SELECT COUNT(*) AS n FROM deliveries`)).toEqual([{ n: 1 }])
      expect(nextPurgeAt(sql, settings)).toBe(T0 + 10 * DAY + settings.retentionMs)
    }))
})

describe("client identity", () => {
  it("remembers the first client that names the ledger", () =>
    withLedger((sql) => {
      expect(rememberedClient(sql)).toBeUndefined()
      rememberClient(sql, "alpha")
      rememberClient(sql, "beta")
      expect(rememberedClient(sql)).toBe("alpha")
    }))
})
