// A ledger created by the first release (schema before versioning) is migrated in place
// when the object starts: its rows survive and the new constraints hold.

import { env, runInDurableObject } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { ClientLedger } from "../src/ledger/ClientLedger.js"
import { LEDGER_SCHEMA_VERSION, schemaVersion } from "../src/ledger/ledgerSchema.js"
import { useHarness } from "./harness.js"

useHarness()

/** Exactly the CREATE statements of the unversioned ledger. */
const FIRST_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS idempotency (
      key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, state TEXT NOT NULL,
      status INTEGER, body TEXT, created_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS sends (
      send_id TEXT PRIMARY KEY, campaign_id TEXT, created_at INTEGER NOT NULL, record TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS sends_by_campaign ON sends (campaign_id)`,
  `CREATE TABLE IF NOT EXISTS events (
      id TEXT PRIMARY KEY, send_id TEXT NOT NULL, campaign_id TEXT NOT NULL,
      phone_number TEXT NOT NULL, status TEXT NOT NULL, type TEXT NOT NULL,
      received_at INTEGER NOT NULL, data TEXT NOT NULL,
      UNIQUE (campaign_id, phone_number, status))`,
  `CREATE INDEX IF NOT EXISTS events_by_send ON events (send_id)`,
  `CREATE TABLE IF NOT EXISTS deliveries (
      event_id TEXT PRIMARY KEY, url TEXT NOT NULL, state TEXT NOT NULL,
      attempts INTEGER NOT NULL, next_at INTEGER, last_status INTEGER)`,
  `CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_at)`,
  `CREATE TABLE IF NOT EXISTS disabled_urls (url TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
]

const ledger = () => env.LEDGER.get(env.LEDGER.idFromName("alpha"))
const now = Date.now()

const sendRecord = (sendId: string, campaignId: string, scheduledDate?: string) =>
  JSON.stringify({
    sendId,
    endpoint: "tts/send",
    createdAt: now - 1_000,
    recipients: 1,
    outcome: "sent",
    status: 200,
    campaignId,
    ...(scheduledDate !== undefined && { scheduledDate }),
  })

/** Replaces the object's storage with a first-release ledger holding a few rows. */
const seedFirstRelease = (sql: SqlStorage) => {
  const tables = sql
    .exec<{ name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'sqlite_%'`,
    )
    .toArray()
  for (const { name } of tables) sql.exec(`DROP TABLE "${name}"`)
  for (const statement of FIRST_SCHEMA) sql.exec(statement)
  sql.exec(`INSERT INTO meta (key, value) VALUES ('client', 'alpha')`)
  sql.exec(
    `INSERT INTO idempotency (key, body_hash, state, status, body, created_at) VALUES ('k1', 'h', 'done', 200, '{"success":true}', ?)`,
    now - 1_000,
  )
  sql.exec(
    `INSERT INTO sends (send_id, campaign_id, created_at, record) VALUES ('s1', 'C1', ?, ?), ('s2', 'C2', ?, ?)`,
    now - 1_000,
    sendRecord("s1", "C1"),
    now - 1_000,
    sendRecord("s2", "C2", "2099-01-01 10:00:00"),
  )
  sql.exec(
    `INSERT INTO events (id, send_id, campaign_id, phone_number, status, type, received_at, data)
     VALUES ('e1', 's1', 'C1', '+33612345601', 'delivered', 'tts.status', ?, '{"status":"delivered"}'),
            ('e2', 's1', 'C1', '+33612345602', 'undelivered', 'tts.status', ?, '{"status":"undelivered"}')`,
    now - 900,
    now - 800,
  )
  sql.exec(
    `INSERT INTO deliveries (event_id, url, state, attempts, next_at, last_status)
     VALUES ('e1', 'http://hooks.test/alpha', 'delivered', 1, NULL, 204),
            ('e2', 'http://hooks.test/alpha', 'pending', 1, ?, 500)`,
    now + 3_600_000,
  )
  sql.exec(`INSERT INTO disabled_urls (url, at) VALUES ('http://gone.test/hook', ?)`, now - 500)
}

/** Inserts an event unless the constraint forbids it: whether it was stored. */
const newEvent = (sql: SqlStorage, id: string, sendId: string, campaignId: string) => {
  sql.exec(
    `INSERT OR IGNORE INTO events (id, send_id, campaign_id, phone_number, status, type, received_at, data)
     VALUES (?, ?, ?, '+33612345601', 'delivered', 'tts.status', ?, '{}')`,
    id,
    sendId,
    campaignId,
    now,
  )
  return sql.exec(`SELECT COUNT(*) AS n FROM events WHERE id = ?`, id).one().n === 1
}

describe("ledger schema migrations", () => {
  it("migrates a first-release ledger in place: rows kept, events unique per send", async () => {
    await runInDurableObject(ledger(), (_instance, state: DurableObjectState) => {
      seedFirstRelease(state.storage.sql)
      expect(schemaVersion(state.storage.sql)).toBe(0)
    })
    await runInDurableObject(ledger(), async (_instance, state: DurableObjectState) => {
      // A new instance on the same storage, as after a deploy: the constructor migrates.
      const migrated = new ClientLedger(state, env)
      const sql = state.storage.sql
      expect(schemaVersion(sql)).toBe(LEDGER_SCHEMA_VERSION)
      // Every row survived.
      expect(sql.exec(`SELECT key, state, body FROM idempotency`).toArray()).toEqual([
        { key: "k1", state: "done", body: '{"success":true}' },
      ])
      expect(sql.exec(`SELECT value FROM meta WHERE key = 'client'`).one().value).toBe("alpha")
      expect(
        sql.exec(`SELECT id, send_id, campaign_id, status FROM events ORDER BY id`).toArray(),
      ).toEqual([
        { id: "e1", send_id: "s1", campaign_id: "C1", status: "delivered" },
        { id: "e2", send_id: "s1", campaign_id: "C1", status: "undelivered" },
      ])
      expect(
        sql.exec(`SELECT event_id, state, attempts FROM deliveries ORDER BY event_id`).toArray(),
      ).toEqual([
        { event_id: "e1", state: "delivered", attempts: 1 },
        { event_id: "e2", state: "pending", attempts: 1 },
      ])
      const view = migrated.campaign("s1")
      expect(view?.events.map((e) => e.delivery?.state)).toEqual(["delivered", "pending"])
      // Sends got their last activity: creation, last event, or the scheduled date if later.
      const active = sql
        .exec<{ send_id: string; active_at: number }>(
          `SELECT send_id, active_at FROM sends ORDER BY send_id`,
        )
        .toArray()
      expect(active[0]).toEqual({ send_id: "s1", active_at: now - 800 })
      expect(active[1]?.active_at).toBeGreaterThanOrEqual(Date.UTC(2099, 0, 1, 9))
      // 410 entries had no configuration fingerprint: dropped (one new attempt, see v3).
      expect(sql.exec(`SELECT COUNT(*) AS n FROM disabled_urls`).one().n).toBe(0)
      // The new constraint: unique per send, no longer per campaign id.
      expect(newEvent(sql, "e3", "s2", "C1")).toBe(true)
      expect(newEvent(sql, "e4", "s1", "C9")).toBe(false)
      // Migrating again changes nothing.
      new ClientLedger(state, env)
      expect(schemaVersion(sql)).toBe(LEDGER_SCHEMA_VERSION)
      expect(sql.exec(`SELECT COUNT(*) AS n FROM events`).one().n).toBe(3)
    })
  })

  it("a fresh ledger starts at the latest version", async () => {
    await runInDurableObject(ledger(), (_instance, state: DurableObjectState) => {
      expect(schemaVersion(state.storage.sql)).toBe(LEDGER_SCHEMA_VERSION)
    })
  })
})
