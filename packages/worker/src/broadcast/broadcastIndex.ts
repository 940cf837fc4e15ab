/** One entry of a client's index: a broadcast and when it was created. */
export interface IndexEntry {
  readonly id: string
  readonly createdAt: number
}

/** A page of the index, newest first; `next` continues after its last entry. */
export interface IndexPage {
  readonly entries: ReadonlyArray<IndexEntry>
  readonly next: IndexEntry | undefined
}

/**
 * The index of one client's broadcasts (table `broadcast_index`), kept by the
 * `BroadcastObject` named `index:<client id>`: `GET /v1/broadcasts` lists from it, newest
 * first, with a cursor, without touching any other client's object. Each broadcast keeps
 * its own status; the index only knows which exist.
 *
 * @example
 * ```ts
 * import { BroadcastIndex } from "./broadcastIndex.js"
 *
 * function newest(sql: SqlStorage) {
 *   const index = new BroadcastIndex(sql)
 *   index.add("alpha", "bc_0123456789abcdef01234567", Date.now())
 *   return index.page("alpha", undefined, 20).entries // [{ id: "bc_…", createdAt: … }]
 * }
 * ```
 */
export class BroadcastIndex {
  constructor(private readonly sql: SqlStorage) {}

  add(clientId: string, id: string, createdAt: number): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO broadcast_index (id, client_id, created_at) VALUES (?, ?, ?)`,
      id,
      clientId,
      createdAt,
    )
  }

  remove(id: string): void {
    this.sql.exec(`DELETE FROM broadcast_index WHERE id = ?`, id)
  }

  /** Up to `limit` entries of `clientId` older than `before` (the previous page's `next`). */
  page(clientId: string, before: IndexEntry | undefined, limit: number): IndexPage {
    const rows = this.sql
      .exec<{ id: string; created_at: number }>(
        `SELECT id, created_at FROM broadcast_index
         WHERE client_id = ? AND (? IS NULL OR created_at < ? OR (created_at = ? AND id < ?))
         ORDER BY created_at DESC, id DESC LIMIT ?`,
        clientId,
        before?.createdAt ?? null,
        before?.createdAt ?? null,
        before?.createdAt ?? null,
        before?.id ?? null,
        limit + 1,
      )
      .toArray()
      .map((r) => ({ id: r.id, createdAt: r.created_at }))
    const entries = rows.slice(0, limit)
    return { entries, next: rows.length > limit ? entries.at(-1) : undefined }
  }
}
