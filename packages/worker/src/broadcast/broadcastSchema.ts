/**
 * The SQLite schema of a `BroadcastObject`, in either of its two roles (see its doc): a
 * broadcast (`broadcast`, `chunks`, `recipients`) or a client's index of broadcasts
 * (`broadcast_index`). Tables are created by the first call that writes (`create`,
 * `indexAdd`), never by a read: probing an id that does not exist leaves nothing behind.
 * The version reached is the `schema_version` row of `meta`; to change the schema, append
 * a migration, never edit one that has shipped.
 *
 * | table | one row per | columns |
 * |---|---|---|
 * | `broadcast` | (one row) | the request (type, canonical message, notifyUrl, name, startAt, plan), status and pause reason, timestamps |
 * | `chunks` | upstream request | index, recipients, state, send id, campaign id, cost, error, attempts, next attempt, delivery counts |
 * | `recipients` | valid recipient | 1-based row, E.164, kind, chunk, delivery (voice SMS) |
 * | `broadcast_index` | broadcast of the client (index role) | id, created at |
 */

interface Migration {
  readonly version: number
  readonly up: (sql: SqlStorage) => void
}

const broadcastMigrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    up: (sql) => {
      sql.exec(`CREATE TABLE broadcast (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        id TEXT NOT NULL, client_id TEXT NOT NULL, type TEXT NOT NULL, message TEXT NOT NULL,
        notify_url TEXT, name TEXT, start_at INTEGER, created_at INTEGER NOT NULL,
        plan TEXT NOT NULL, retry_of TEXT,
        status TEXT NOT NULL, pause_code TEXT, pause_message TEXT, paused_at INTEGER,
        started_at INTEGER, completed_at INTEGER, cancelled_at INTEGER)`)
      // owed_record: the ledger's record of the chunk's send, until the ledger has it.
      sql.exec(`CREATE TABLE chunks (
        idx INTEGER PRIMARY KEY, recipients INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        send_id TEXT, campaign_id TEXT, cost REAL, currency TEXT, error_code TEXT, error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER,
        started_at INTEGER, finished_at INTEGER, owed_record TEXT,
        delivered INTEGER NOT NULL DEFAULT 0, undelivered INTEGER NOT NULL DEFAULT 0,
        delivery_final INTEGER NOT NULL DEFAULT 0, synced_at INTEGER, retried_by TEXT)`)
      sql.exec(`CREATE INDEX chunks_by_state ON chunks (state, idx)`)
      sql.exec(`CREATE TABLE recipients (
        row INTEGER PRIMARY KEY, e164 TEXT NOT NULL, kind TEXT NOT NULL,
        chunk INTEGER NOT NULL, delivery TEXT)`)
      sql.exec(`CREATE INDEX recipients_by_chunk ON recipients (chunk, e164)`)
    },
  },
]

const indexMigrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    up: (sql) => {
      sql.exec(`CREATE TABLE broadcast_index (
        id TEXT PRIMARY KEY, client_id TEXT NOT NULL, created_at INTEGER NOT NULL)`)
      sql.exec(`CREATE INDEX broadcast_index_by_age ON broadcast_index (created_at, id)`)
    },
  },
]

const hasTable = (sql: SqlStorage, name: string): boolean =>
  sql.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, name).toArray().length >
  0

const migrate = (
  storage: DurableObjectStorage,
  role: "broadcast" | "index",
  migrations: ReadonlyArray<Migration>,
): void => {
  const sql = storage.sql
  storage.transactionSync(() => {
    sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`)
    const key = `${role}_schema_version`
    const row = sql
      .exec<{ value: string }>(`SELECT value FROM meta WHERE key = ?`, key)
      .toArray()[0]
    const stored = row === undefined ? 0 : Number(row.value)
    let version = stored
    for (const migration of migrations) {
      if (migration.version <= version) continue
      migration.up(sql)
      version = migration.version
    }
    if (version !== stored)
      sql.exec(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, key, String(version))
  })
}

/** Creates or migrates the tables of a broadcast (called by `create` only). */
export const migrateBroadcast = (storage: DurableObjectStorage): void =>
  migrate(storage, "broadcast", broadcastMigrations)

/** Creates or migrates the index tables (called by `indexAdd` only). */
export const migrateIndex = (storage: DurableObjectStorage): void =>
  migrate(storage, "index", indexMigrations)

/** Whether this object holds a broadcast (its tables exist: `create` ran). */
export const holdsBroadcast = (sql: SqlStorage): boolean => hasTable(sql, "broadcast")

/** Whether this object holds an index (`indexAdd` ran). */
export const holdsIndex = (sql: SqlStorage): boolean => hasTable(sql, "broadcast_index")
