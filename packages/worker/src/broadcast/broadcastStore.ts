import type { SendRecord } from "../ledger/ledgerTypes.js"
import type {
  BroadcastMessage,
  BroadcastPlan,
  BroadcastSpec,
  BroadcastStatus,
  BroadcastType,
  ChunkCounts,
  ChunkState,
  PauseReason,
  RecipientBatch,
  RecipientKind,
  RecipientOutcome,
} from "./broadcastTypes.js"
import type { ChunkResult } from "./chunkOutcome.js"
import { CHUNK_SIZE, chunkCount } from "./recipientPlan.js"

/** The `broadcast` row. `status` is `loading` until every recipient is stored. */
interface BroadcastRowSql extends Record<string, SqlStorageValue> {
  id: string
  client_id: string
  type: string
  message: string
  notify_url: string | null
  name: string | null
  start_at: number | null
  created_at: number
  plan: string
  retry_of: string | null
  status: string
  pause_code: string | null
  pause_message: string | null
  paused_at: number | null
  started_at: number | null
  completed_at: number | null
  cancelled_at: number | null
}

/** The broadcast as the object reads it: what it was created with, and where it is. */
export interface BroadcastRow extends BroadcastSpec {
  /** `loading` until `start`: such a broadcast is invisible (404) and never runs. */
  readonly status: BroadcastStatus | "loading"
  readonly pauseReason: PauseReason | undefined
  readonly startedAt: number | undefined
  readonly completedAt: number | undefined
  readonly cancelledAt: number | undefined
}

/** A chunk about to be sent. */
export interface ChunkToSend {
  readonly idx: number
  readonly recipients: number
  readonly attempts: number
}

/** A chunk found in flight at start-up, as its unknown ledger record needs it. */
export interface OwedChunk {
  readonly sendId: string
  readonly recipients: number
  readonly startedAt: number
}

const orUndefined = <A>(value: A | null): A | undefined => (value === null ? undefined : value)
const iso = (ms: number | undefined | null): string | null =>
  ms === undefined || ms === null ? null : new Date(ms).toISOString()

/**
 * A broadcast's rows (tables `broadcast`, `chunks`, `recipients`, see `broadcastSchema.ts`):
 * every read and every transition, synchronous, so that a caller's check and write see one
 * state of the object (nothing interleaves without an `await`).
 *
 * @example
 * ```ts
 * import { BroadcastStore } from "./broadcastStore.js"
 *
 * function nextToSend(storage: DurableObjectStorage) {
 *   const store = new BroadcastStore(storage)
 *   return store.nextChunk(Date.now()) // { idx: 0, recipients: 500, attempts: 0 } or undefined
 * }
 * ```
 */
export class BroadcastStore {
  private readonly sql: SqlStorage

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql
  }

  /** Stores a new broadcast (status `loading`) and its chunks, all `pending`. */
  create(spec: BroadcastSpec): void {
    const chunks = chunkCount(spec.plan.recipients.valid)
    this.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT INTO broadcast (one, id, client_id, type, message, notify_url, name, start_at,
           created_at, plan, retry_of, status)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loading')`,
        spec.id,
        spec.clientId,
        spec.type,
        JSON.stringify(spec.message),
        spec.notifyUrl ?? null,
        spec.name ?? null,
        spec.startAt ?? null,
        spec.createdAt,
        JSON.stringify(spec.plan),
        spec.retryOf ?? null,
      )
      const valid = spec.plan.recipients.valid
      for (let idx = 0; idx < chunks; idx++)
        this.sql.exec(
          `INSERT INTO chunks (idx, recipients) VALUES (?, ?)`,
          idx,
          Math.min(CHUNK_SIZE, valid - idx * CHUNK_SIZE),
        )
    })
  }

  /**
   * Stores a batch of recipients, each in the chunk its position gives, in one statement:
   * the batch goes in as one JSON parameter read by `json_each` (a statement binds at most
   * 100 values; 500 statements of 20 rows took three times as long).
   */
  addRecipients(batch: RecipientBatch): void {
    const { rows, e164, kinds, first } = batch
    const values: Array<unknown> = []
    for (let i = 0; i < rows.length; i++)
      values.push([rows[i], e164[i], kinds[i], Math.floor((first + i) / CHUNK_SIZE)])
    this.sql.exec(
      `INSERT INTO recipients (row, e164, kind, chunk)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
              json_extract(value, '$[2]'), json_extract(value, '$[3]')
       FROM json_each(?)`,
      JSON.stringify(values),
    )
  }

  /** Recipients stored so far. */
  storedRecipients(): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM recipients`).one().n
  }

  /** The broadcast, or `undefined` when this object holds none. */
  read(): BroadcastRow | undefined {
    const row = this.sql.exec<BroadcastRowSql>(`SELECT * FROM broadcast`).toArray()[0]
    if (row === undefined) return undefined
    return {
      id: row.id,
      clientId: row.client_id,
      type: row.type as BroadcastType,
      message: JSON.parse(row.message) as BroadcastMessage,
      notifyUrl: orUndefined(row.notify_url),
      name: orUndefined(row.name),
      startAt: orUndefined(row.start_at),
      createdAt: row.created_at,
      plan: JSON.parse(row.plan) as BroadcastPlan,
      retryOf: orUndefined(row.retry_of),
      status: row.status as BroadcastStatus | "loading",
      pauseReason:
        row.pause_code === null
          ? undefined
          : {
              code: row.pause_code,
              message: row.pause_message ?? "",
              at: iso(row.paused_at) ?? "",
            },
      startedAt: orUndefined(row.started_at),
      completedAt: orUndefined(row.completed_at),
      cancelledAt: orUndefined(row.cancelled_at),
    }
  }

  /** Only the status (cheap: read again right before each chunk). */
  status(): BroadcastStatus | "loading" | undefined {
    return this.sql.exec<{ status: string }>(`SELECT status FROM broadcast`).toArray()[0]?.status as
      | BroadcastStatus
      | "loading"
      | undefined
  }

  /** `loading` → `scheduled` or `running`. */
  start(status: "scheduled" | "running", now: number): void {
    this.sql.exec(
      `UPDATE broadcast SET status = ?, started_at = CASE WHEN ? = 'running' THEN ? ELSE NULL END
       WHERE status = 'loading'`,
      status,
      status,
      now,
    )
  }

  /** `scheduled` → `running`, once its time has come. */
  run(now: number): void {
    this.sql.exec(
      `UPDATE broadcast SET status = 'running', started_at = COALESCE(started_at, ?)
       WHERE status = 'scheduled'`,
      now,
    )
  }

  /** `scheduled` or `running` → `paused`, with why. */
  pause(reason: { readonly code: string; readonly message: string }, now: number): boolean {
    return (
      this.sql.exec(
        `UPDATE broadcast SET status = 'paused', pause_code = ?, pause_message = ?, paused_at = ?
         WHERE status IN ('scheduled', 'running')`,
        reason.code,
        reason.message,
        now,
      ).rowsWritten > 0
    )
  }

  /** `paused` → `scheduled` (its `startAt` not reached yet) or `running`. */
  resume(now: number): boolean {
    return (
      this.sql.exec(
        `UPDATE broadcast SET
           status = CASE WHEN start_at IS NOT NULL AND start_at > ? AND started_at IS NULL
                         THEN 'scheduled' ELSE 'running' END,
           pause_code = NULL, pause_message = NULL, paused_at = NULL
         WHERE status = 'paused'`,
        now,
      ).rowsWritten > 0
    )
  }

  /** Any status but `completed` → `cancelled`. Pending chunks stay pending, never sent. */
  cancel(now: number): boolean {
    return (
      this.sql.exec(
        `UPDATE broadcast SET status = 'cancelled', cancelled_at = ?
         WHERE status IN ('scheduled', 'running', 'paused')`,
        now,
      ).rowsWritten > 0
    )
  }

  /** `running` → `completed`, when no chunk is pending or in flight. */
  complete(now: number): boolean {
    return (
      this.sql.exec(
        `UPDATE broadcast SET status = 'completed', completed_at = ?
         WHERE status = 'running'
           AND NOT EXISTS (SELECT 1 FROM chunks WHERE state IN ('pending', 'in_flight'))`,
        now,
      ).rowsWritten > 0
    )
  }

  /** The next chunk to send at `now`: the lowest pending one whose retry time has come. */
  nextChunk(now: number): ChunkToSend | undefined {
    return this.sql
      .exec<{ idx: number; recipients: number; attempts: number }>(
        `SELECT idx, recipients, attempts FROM chunks
         WHERE state = 'pending' AND (next_at IS NULL OR next_at <= ?) ORDER BY idx LIMIT 1`,
        now,
      )
      .toArray()[0]
  }

  /** When the earliest pending chunk may be tried (`undefined`: none pending). */
  nextPendingAt(): number | undefined {
    const row = this.sql
      .exec<{ at: number | null; n: number }>(
        `SELECT MIN(COALESCE(next_at, 0)) AS at, COUNT(*) AS n FROM chunks WHERE state = 'pending'`,
      )
      .one()
    return row.n === 0 ? undefined : (row.at ?? 0)
  }

  /**
   * The instants by which the provider had each of this broadcast's requests (its answer,
   * `finished_at`; a request not answered yet: its departure), after `since`, oldest first.
   * A chunk sent again has only its latest attempt here (the quota still knows the earlier).
   */
  answeredSince(since: number): ReadonlyArray<number> {
    return this.sql
      .exec<{ at: number }>(
        `SELECT MAX(started_at, COALESCE(finished_at, started_at)) AS at FROM chunks
         WHERE started_at IS NOT NULL AND MAX(started_at, COALESCE(finished_at, started_at)) > ?
         ORDER BY at`,
        since,
      )
      .toArray()
      .map((r) => r.at)
  }

  /** Marks a chunk in flight under a new send id: call right before its request leaves. */
  markInFlight(idx: number, sendId: string, now: number): void {
    this.sql.exec(
      `UPDATE chunks SET state = 'in_flight', send_id = ?, attempts = attempts + 1,
         started_at = ?, next_at = NULL
       WHERE idx = ?`,
      sendId,
      now,
      idx,
    )
  }

  /** A chunk whose request never left: pending, tried again at `at`. */
  postpone(idx: number, at: number, code: string): void {
    this.sql.exec(
      `UPDATE chunks SET next_at = ?, error_code = ? WHERE idx = ? AND state = 'pending'`,
      at,
      code,
      idx,
    )
  }

  /**
   * Records a chunk's outcome (see {@link ChunkResult}; `pause` leaves it pending) and, in
   * the same step, the ledger record it owes (`record`), until {@link markRecorded}.
   */
  settle(idx: number, result: ChunkResult, now: number, record: SendRecord | undefined): void {
    const owed = record === undefined ? null : JSON.stringify(record)
    switch (result.kind) {
      case "sent":
        this.sql.exec(
          `UPDATE chunks SET state = 'sent', campaign_id = ?, cost = ?, currency = ?,
             error_code = NULL, error = NULL, finished_at = ?, owed_record = ? WHERE idx = ?`,
          result.campaignId ?? null,
          result.cost ?? null,
          result.currency ?? null,
          now,
          owed,
          idx,
        )
        return
      case "failed":
      case "unknown":
        this.sql.exec(
          `UPDATE chunks SET state = ?, error_code = ?, error = ?, finished_at = ?, owed_record = ?
           WHERE idx = ?`,
          result.kind,
          result.code,
          result.message,
          now,
          owed,
          idx,
        )
        return
      case "later":
      case "pause":
        // Nothing went out: pending again; the next try mints a new send id. A refusal that
        // may be recorded (a 402) keeps its send id until the ledger has its record.
        this.sql.exec(
          `UPDATE chunks SET state = 'pending', error_code = ?, error = ?, next_at = ?,
             attempts = attempts - ?, owed_record = ? WHERE idx = ?`,
          result.code,
          result.message,
          result.kind === "later" ? now + result.afterMs : null,
          result.kind === "later" && !result.attempt ? 1 : 0,
          owed,
          idx,
        )
        return
    }
  }

  /**
   * Chunks left in flight by a previous instance (it stopped mid-request): `unknown`, each
   * owing the ledger an unknown record (`record` builds it). Called when the object starts.
   */
  recoverInFlight(now: number, record: (chunk: OwedChunk) => SendRecord): number {
    const stuck = this.sql
      .exec<{ idx: number; send_id: string; recipients: number; started_at: number }>(
        `SELECT idx, send_id, recipients, started_at FROM chunks WHERE state = 'in_flight'`,
      )
      .toArray()
    for (const chunk of stuck)
      this.sql.exec(
        `UPDATE chunks SET state = 'unknown', finished_at = ?, error_code = 'INTERRUPTED',
           error = 'the gateway stopped while this request was in flight; it may have been sent',
           owed_record = ?
         WHERE idx = ?`,
        now,
        JSON.stringify(
          record({
            sendId: chunk.send_id,
            recipients: chunk.recipients,
            startedAt: chunk.started_at,
          }),
        ),
        chunk.idx,
      )
    return stuck.length
  }

  /** The ledger records owed, by chunk. */
  owedRecords(): ReadonlyArray<{ readonly idx: number; readonly record: SendRecord }> {
    return this.sql
      .exec<{ idx: number; owed_record: string }>(
        `SELECT idx, owed_record FROM chunks WHERE owed_record IS NOT NULL`,
      )
      .toArray()
      .map((r) => ({ idx: r.idx, record: JSON.parse(r.owed_record) as SendRecord }))
  }

  /** The ledger has the record of the chunk's send `sendId`. */
  markRecorded(idx: number, sendId: string): void {
    this.sql.exec(
      `UPDATE chunks SET owed_record = NULL
       WHERE idx = ? AND json_extract(owed_record, '$.sendId') = ?`,
      idx,
      sendId,
    )
  }

  /** A chunk's numbers, in row order. */
  numbersOf(idx: number): ReadonlyArray<string> {
    return this.sql
      .exec<{ e164: string }>(`SELECT e164 FROM recipients WHERE chunk = ? ORDER BY row`, idx)
      .toArray()
      .map((r) => r.e164)
  }

  /** Chunks per state. */
  chunkCounts(): ChunkCounts {
    const counts = { total: 0, pending: 0, inFlight: 0, sent: 0, failed: 0, unknown: 0 }
    for (const { state, n } of this.sql
      .exec<{ state: string; n: number }>(`SELECT state, COUNT(*) AS n FROM chunks GROUP BY state`)
      .toArray()) {
      counts.total += n
      counts[state === "in_flight" ? "inFlight" : (state as Exclude<ChunkState, "in_flight">)] += n
    }
    return counts
  }

  /** Recipients per state of their chunk. */
  recipientsByState(): Readonly<
    Record<"sent" | "failed" | "unknown" | "pending" | "inFlight", number>
  > {
    const counts = { pending: 0, inFlight: 0, sent: 0, failed: 0, unknown: 0 }
    for (const { state, n } of this.sql
      .exec<{ state: string; n: number }>(
        `SELECT state, SUM(recipients) AS n FROM chunks GROUP BY state`,
      )
      .toArray())
      counts[state === "in_flight" ? "inFlight" : (state as Exclude<ChunkState, "in_flight">)] += n
    return counts
  }

  /** Delivery counts from the callbacks synced so far (see `deliverySync.ts`). */
  deliveryCounts(): {
    readonly delivered: number
    readonly undelivered: number
    readonly pending: number
  } {
    const row = this.sql
      .exec<{ delivered: number | null; undelivered: number | null; pending: number | null }>(
        `SELECT SUM(delivered) AS delivered, SUM(undelivered) AS undelivered,
                SUM(CASE WHEN state = 'sent' THEN MAX(recipients - delivered - undelivered, 0) ELSE 0 END) AS pending
         FROM chunks`,
      )
      .one()
    return {
      delivered: row.delivered ?? 0,
      undelivered: row.undelivered ?? 0,
      pending: row.pending ?? 0,
    }
  }

  /** What the sent chunks cost. */
  cost(): { readonly amount: number; readonly currency: string | null } {
    const row = this.sql
      .exec<{ amount: number | null; currency: string | null }>(
        `SELECT SUM(cost) AS amount, MAX(currency) AS currency FROM chunks WHERE state = 'sent'`,
      )
      .one()
    return { amount: Math.round((row.amount ?? 0) * 100) / 100, currency: row.currency }
  }

  /**
   * A page of recipients in row order after row `after`, with their chunk's outcome;
   * `state` filters by it. One more row than asked tells whether there is a next page.
   */
  page(
    state: ChunkState | undefined,
    after: number,
    limit: number,
  ): { readonly rows: ReadonlyArray<RecipientOutcome>; readonly more: boolean } {
    const rows = this.sql
      .exec<{
        row: number
        e164: string
        kind: string
        chunk: number
        delivery: string | null
        state: string
        campaign_id: string | null
        error: string | null
      }>(
        `SELECT r.row, r.e164, r.kind, r.chunk, r.delivery, c.state, c.campaign_id, c.error
         FROM recipients r JOIN chunks c ON c.idx = r.chunk
         WHERE r.row > ? AND (? IS NULL OR c.state = ?)
         ORDER BY r.row LIMIT ?`,
        after,
        state ?? null,
        state ?? null,
        limit + 1,
      )
      .toArray()
    return {
      more: rows.length > limit,
      rows: rows.slice(0, limit).map((r) => ({
        row: r.row,
        phoneNumber: r.e164,
        kind: r.kind as RecipientKind,
        chunk: r.chunk,
        status: r.state as ChunkState,
        campaignId: r.campaign_id,
        delivery: r.delivery,
        error: r.state === "sent" ? null : r.error,
      })),
    }
  }

  /**
   * Claims the chunks a retry sends again — `failed` ones, and `unknown` ones when asked —
   * for the new broadcast `by`, unless an earlier retry claimed them: their recipients
   * and kinds.
   */
  claimRetry(
    includeUnknown: boolean,
    by: string,
  ): {
    readonly recipients: number
    readonly kinds: Readonly<Record<RecipientKind, number>>
    readonly byPrefix: Readonly<Record<string, number>>
  } {
    this.sql.exec(
      `UPDATE chunks SET retried_by = ?
       WHERE retried_by IS NULL AND (state = 'failed' OR (? AND state = 'unknown'))`,
      by,
      includeUnknown ? 1 : 0,
    )
    const kinds = { mobile: 0, landline: 0, other: 0 }
    let recipients = 0
    for (const { kind, n } of this.sql
      .exec<{ kind: string; n: number }>(
        `SELECT r.kind, COUNT(*) AS n FROM recipients r JOIN chunks c ON c.idx = r.chunk
         WHERE c.retried_by = ? GROUP BY r.kind`,
        by,
      )
      .toArray()) {
      kinds[kind as RecipientKind] += n
      recipients += n
    }
    // The first three digits of each number: enough to tell its country (calling codes
    // are prefix-free and at most three digits long), for the cost estimate.
    const byPrefix: Record<string, number> = {}
    for (const { prefix, n } of this.sql
      .exec<{ prefix: string; n: number }>(
        `SELECT substr(r.e164, 2, 3) AS prefix, COUNT(*) AS n FROM recipients r
         JOIN chunks c ON c.idx = r.chunk WHERE c.retried_by = ? GROUP BY prefix`,
        by,
      )
      .toArray())
      byPrefix[prefix] = n
    return { recipients, kinds, byPrefix }
  }

  /** The recipients claimed by retry `by`, in row order after `after`. */
  retryRows(
    by: string,
    after: number,
    limit: number,
  ): ReadonlyArray<{ readonly row: number; readonly e164: string; readonly kind: RecipientKind }> {
    return this.sql
      .exec<{ row: number; e164: string; kind: string }>(
        `SELECT r.row, r.e164, r.kind FROM recipients r JOIN chunks c ON c.idx = r.chunk
         WHERE c.retried_by = ? AND r.row > ? ORDER BY r.row LIMIT ?`,
        by,
        after,
        limit,
      )
      .toArray()
      .map((r) => ({ row: r.row, e164: r.e164, kind: r.kind as RecipientKind }))
  }

  /** Gives back the chunks claimed by a retry that could not be created. */
  releaseRetry(by: string): void {
    this.sql.exec(`UPDATE chunks SET retried_by = NULL WHERE retried_by = ?`, by)
  }

  /** Chunks pending or in flight (for the estimate). */
  remainingChunks(): number {
    return this.sql
      .exec<{ n: number }>(
        `SELECT COUNT(*) AS n FROM chunks WHERE state IN ('pending', 'in_flight')`,
      )
      .one().n
  }

  /** The earliest the object may purge a finished broadcast. */
  finishedAt(): number | undefined {
    const row = this.read()
    return row?.completedAt ?? row?.cancelledAt
  }
}

export { iso }
