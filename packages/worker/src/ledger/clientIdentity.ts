/**
 * Which client a ledger belongs to, kept in its `meta` table. A Durable Object cannot read
 * the name its id came from, and the alarm has no request to learn it from: every RPC
 * that names the client remembers it, so the alarm can find the client's webhook
 * configuration. The first name wins (`INSERT OR IGNORE`): one object serves one client.
 *
 * @example
 * ```ts
 * import { rememberClient, rememberedClient } from "./clientIdentity.js"
 *
 * function whoseLedger(sql: SqlStorage): string | undefined {
 *   rememberClient(sql, "alpha")
 *   return rememberedClient(sql) // "alpha"
 * }
 * ```
 */

/** Records the ledger's client, unless one is already recorded. */
export const rememberClient = (sql: SqlStorage, clientId: string): void => {
  sql.exec(`INSERT OR IGNORE INTO meta (key, value) VALUES ('client', ?)`, clientId)
}

/** The ledger's client, if any RPC has named it yet. */
export const rememberedClient = (sql: SqlStorage): string | undefined =>
  sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'client'`).toArray()[0]?.value
