/**
 * The ledger's SQLite schema as one ordered list of migrations. The version reached is
 * the `schema_version` row of `meta` (Durable Objects' SQLite does not allow
 * `PRAGMA user_version`); a ledger of the first release, from before versioning, has no
 * such row and is at version 0. {@link migrate} runs, in order and once each, every
 * migration above the stored version, each in its own transaction with the version bump,
 * so a failure leaves the ledger at the previous version, to be retried at the next start.
 *
 * To change the schema: append a migration, never edit one that has shipped.
 */

/** One step of the schema. `up` runs inside a transaction. */
interface Migration {
  readonly version: number
  readonly description: string
  readonly up: (sql: SqlStorage) => void
}

/**
 * The latest scheduled instant a send's `scheduledDate` can denote. The gateway stores the
 * provider's Paris wall clock (`YYYY-MM-DD HH:MM:SS`); read as UTC it is 1 or 2 hours
 * after the real instant, which is the safe side for retention. `undefined` when absent or
 * unreadable.
 */
export const scheduledAtOrAfter = (scheduledDate: string | undefined): number | undefined => {
  if (scheduledDate === undefined) return undefined
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(scheduledDate)
  const at =
    m === null
      ? Date.parse(scheduledDate)
      : Date.UTC(
          Number(m[1]),
          Number(m[2]) - 1,
          Number(m[3]),
          Number(m[4]),
          Number(m[5]),
          Number(m[6] ?? 0),
        )
  return Number.isFinite(at) ? at : undefined
}

/** The origin a URL's deliveries are grouped by (concurrency, isolation). */
export const destinationOf = (url: string): string => {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}

const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    description: "first release (IF NOT EXISTS: an unversioned ledger already has it)",
    up: (sql) => {
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
      sql.exec(
        `CREATE TABLE IF NOT EXISTS disabled_urls (url TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
      )
    },
  },
  {
    version: 2,
    description: "events unique per send, not per campaign id (campaign ids can repeat)",
    up: (sql) => {
      // SQLite cannot change a table constraint in place: rebuild the table, keep the rows.
      sql.exec(`CREATE TABLE events_v2 (
        id TEXT PRIMARY KEY, send_id TEXT NOT NULL, campaign_id TEXT NOT NULL,
        phone_number TEXT NOT NULL, status TEXT NOT NULL, type TEXT NOT NULL,
        received_at INTEGER NOT NULL, data TEXT NOT NULL,
        UNIQUE (send_id, phone_number, status))`)
      // Old rows were unique per campaign: they can clash per send only if a foreign
      // campaign id was posted on a send's URL; the earliest is kept.
      sql.exec(`INSERT OR IGNORE INTO events_v2
        SELECT id, send_id, campaign_id, phone_number, status, type, received_at, data
        FROM events ORDER BY received_at, id`)
      sql.exec(`DROP TABLE events`)
      sql.exec(`ALTER TABLE events_v2 RENAME TO events`)
      sql.exec(`CREATE INDEX events_by_send ON events (send_id)`)
      sql.exec(`DELETE FROM deliveries WHERE event_id NOT IN (SELECT id FROM events)`)
    },
  },
  {
    version: 3,
    description:
      "retention (sends.active_at), delivery leases per destination, 410s per configuration",
    up: (sql) => {
      // The last activity of a send: creation, scheduled date, last event or delivery attempt.
      sql.exec(`ALTER TABLE sends ADD COLUMN active_at INTEGER`)
      const sends = sql
        .exec<{ send_id: string; created_at: number; record: string; last_event: number | null }>(
          `SELECT s.send_id, s.created_at, s.record,
                  (SELECT MAX(received_at) FROM events e WHERE e.send_id = s.send_id) AS last_event
           FROM sends s`,
        )
        .toArray()
      for (const send of sends) {
        let scheduled: number | undefined
        try {
          scheduled = scheduledAtOrAfter(
            (JSON.parse(send.record) as { scheduledDate?: string }).scheduledDate,
          )
        } catch {
          scheduled = undefined
        }
        sql.exec(
          `UPDATE sends SET active_at = ? WHERE send_id = ?`,
          Math.max(send.created_at, scheduled ?? 0, send.last_event ?? 0),
          send.send_id,
        )
      }
      sql.exec(`CREATE INDEX sends_by_activity ON sends (active_at)`)
      sql.exec(`CREATE INDEX idempotency_by_age ON idempotency (created_at)`)
      sql.exec(`CREATE INDEX events_by_age ON events (received_at)`)
      // A delivery in flight holds a lease (lease_until): a crash mid-attempt makes the row
      // due again when the lease ends. `destination` (URL origin) bounds attempts per receiver.
      sql.exec(`ALTER TABLE deliveries ADD COLUMN destination TEXT NOT NULL DEFAULT ''`)
      sql.exec(`ALTER TABLE deliveries ADD COLUMN lease_until INTEGER`)
      for (const { url } of sql
        .exec<{ url: string }>(`SELECT DISTINCT url FROM deliveries`)
        .toArray())
        sql.exec(`UPDATE deliveries SET destination = ? WHERE url = ?`, destinationOf(url), url)
      sql.exec(`DROP INDEX deliveries_due`)
      sql.exec(`CREATE INDEX deliveries_due ON deliveries (state, destination, next_at)`)
      // A 410 now disables a URL for one webhook configuration (fingerprint of URL and
      // secret). Entries from before have no fingerprint: they are dropped, so such a URL
      // gets one new attempt and, if still gone, is disabled again under today's configuration.
      sql.exec(`DROP TABLE disabled_urls`)
      sql.exec(`CREATE TABLE disabled_urls (
        url TEXT NOT NULL, fingerprint TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (url, fingerprint))`)
    },
  },
]

/** The version {@link migrate} brings a ledger to. */
export const LEDGER_SCHEMA_VERSION = migrations.at(-1)?.version ?? 0

/** The schema version of a ledger's storage: 0 before versioning (or when empty). */
export const schemaVersion = (sql: SqlStorage): number => {
  const hasMeta =
    sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).toArray()
      .length > 0
  if (!hasMeta) return 0
  const row = sql
    .exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`)
    .toArray()[0]
  return row === undefined ? 0 : Number(row.value)
}

/**
 * Brings a ledger's storage to {@link LEDGER_SCHEMA_VERSION}: each missing migration, in
 * order, in a transaction together with its version. Synchronous, so a Durable Object's
 * constructor can call it before any request sees the storage.
 */
export const migrate = (storage: DurableObjectStorage): void => {
  const sql = storage.sql
  let version = schemaVersion(sql)
  for (const migration of migrations) {
    if (migration.version <= version) continue
    storage.transactionSync(() => {
      migration.up(sql)
      sql.exec(
        `INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`,
        String(migration.version),
      )
    })
    version = migration.version
  }
}
