import { RecipientCollector } from "@voicepartner/core/plan/RecipientCollector"
import type {
  InvalidRow,
  RecipientBatch,
  RecipientCounts,
  RecipientKind,
} from "./broadcastTypes.js"

/** Most recipients (rows) a broadcast takes. */
export const MAX_BROADCAST_RECIPIENTS = 1_000_000
/** Numbers per upstream request (the provider's limit). */
export const CHUNK_SIZE = 500
/** Invalid rows listed in a plan; `invalidCount` gives the total. */
export const LISTED_INVALID = 100
/** Longest input quoted back in an invalid row (as validation answers do). */
const QUOTE_MAX = 40

const KINDS: ReadonlyArray<RecipientKind> = ["mobile", "landline", "other"]
const KIND_CODE: Readonly<Record<RecipientKind, number>> = { mobile: 0, landline: 1, other: 2 }
/** The collector's source name: origins read `planner:<row>`. */
const SOURCE = "planner"

/**
 * The valid, distinct recipients in compact form (a million rows take ~13 MB, not the
 * ~150 MB of core's objects): the 1-based row of each, its E.164 digits as a number
 * (at most 15 digits: exact in a double) and its kind.
 */
export interface RecipientRows {
  readonly count: number
  readonly rows: Uint32Array
  readonly digits: Float64Array
  readonly kinds: Uint8Array
}

/** A broadcast's recipients, planned: the counts a plan shows, the rows, numbers per country. */
export interface PlannedRecipients {
  readonly counts: RecipientCounts
  readonly rows: RecipientRows
  /** Distinct valid numbers per country calling code (`"33"`): the cost estimate's basis. */
  readonly byCountry: Readonly<Record<string, number>>
}

/** The `i`-th valid recipient's E.164 number. */
export const e164At = (rows: RecipientRows, i: number): string => `+${rows.digits[i]}`

/**
 * The recipients of rows `[from, to)` of the valid list, as one batch for the object.
 *
 * @example
 * ```ts
 * const { rows } = planRecipients(["0612345678"])
 * batchOf(rows, 0, 1) // { first: 0, rows: [1], e164: ["+33612345678"], kinds: ["mobile"] }
 * ```
 */
export const batchOf = (rows: RecipientRows, from: number, to: number): RecipientBatch => {
  const end = Math.min(to, rows.count)
  const batch = {
    first: from,
    rows: [] as Array<number>,
    e164: [] as Array<string>,
    kinds: [] as Array<RecipientKind>,
  }
  for (let i = from; i < end; i++) {
    batch.rows.push(rows.rows[i] as number)
    batch.e164.push(e164At(rows, i))
    batch.kinds.push(KINDS[rows.kinds[i] as number] as RecipientKind)
  }
  return batch
}

/**
 * A broadcast's recipient list, planned as it is read (a JSON array, a CSV upload's rows):
 * each entry goes to core's `RecipientCollector` (which normalises them batch by batch with
 * `normalizeRecipients`, removes duplicates across the whole list — the first occurrence
 * is kept — and keeps the numbers compactly), with the row it stood on: its 1-based
 * position in a JSON array, its line in a CSV file. {@link finish} gives the counts a plan
 * shows (the first {@link LISTED_INVALID} invalid rows with their row, input and reason),
 * the valid recipients in compact form and the numbers per country.
 *
 * @example
 * ```ts
 * const planner = new RecipientPlanner()
 * planner.add("06 12 34 56 78", 2)
 * planner.add("", 3) // a blank row: counted as empty
 * planner.add("12", 4)
 * planner.finish().counts // { total: 3, valid: 1, empty: 1, invalidCount: 1, invalid: [{ row: 4, … }], … }
 * ```
 */
export class RecipientPlanner {
  private collector: RecipientCollector | undefined

  constructor() {
    this.collector = new RecipientCollector({ keep: LISTED_INVALID })
    this.collector.source(SOURCE)
  }

  /** Entries added so far. */
  get size(): number {
    return this.collector?.size ?? 0
  }

  /** One entry (a number as written, or empty) from row `row` (1-based). */
  add(input: string, row: number): void {
    if (this.collector === undefined) throw new Error("RecipientPlanner: add after finish")
    // The collector keeps each entry's row as its line: `originOf` gives it back.
    this.collector.add(input, row)
  }

  /** Every entry, normalised and counted; nothing can be added after this. */
  finish(): PlannedRecipients {
    const collector = this.collector
    if (collector === undefined) throw new Error("RecipientPlanner: finished already")
    // The collector's arrays are not needed past this: let them go as soon as they are read.
    this.collector = undefined
    const r = collector.finish()
    // `originOf` is `planner:<row>` for an entry added with a row (the source's name).
    const rowOf = (index: number): number => Number(r.originOf(index).slice(SOURCE.length + 1))
    const count = r.size
    const rows = new Uint32Array(count)
    const digits = new Float64Array(count)
    const kinds = new Uint8Array(count)
    for (let k = 0; k < count; k++) {
      rows[k] = rowOf(r.index(k))
      digits[k] = Number(r.e164(k).slice(1))
      kinds[k] = KIND_CODE[r.kind(k)]
    }
    const invalid: Array<InvalidRow> = r.invalid.slice(0, LISTED_INVALID).map((bad) => ({
      row: rowOf(bad.index),
      input: bad.input.length > QUOTE_MAX ? `${bad.input.slice(0, QUOTE_MAX)}…` : bad.input,
      reason: bad.reason,
    }))
    return {
      counts: {
        total: r.counts.read,
        valid: count,
        duplicates: r.counts.duplicates,
        empty: r.counts.empty,
        mobile: r.kinds.mobile,
        landline: r.kinds.landline,
        other: r.kinds.other,
        invalid,
        invalidCount: r.counts.invalid,
      },
      rows: { count, rows, digits, kinds },
      byCountry: r.byCountry,
    }
  }
}

/**
 * Plans a list given at once (a JSON body's `recipients`): entry `i` is row `i + 1`.
 *
 * @example
 * ```ts
 * const { counts } = planRecipients(["06 12 34 56 78", "+33612345678", "01 23 45 67 89", "12"])
 * counts // { total: 4, valid: 2, duplicates: 1, empty: 0, mobile: 1, landline: 1, other: 0, invalidCount: 1, invalid: [{ row: 4, … }] }
 * ```
 */
export const planRecipients = (inputs: ReadonlyArray<string>): PlannedRecipients => {
  const planner = new RecipientPlanner()
  for (let i = 0; i < inputs.length; i++) planner.add(inputs[i] as string, i + 1)
  return planner.finish()
}

/** Upstream requests for `valid` recipients. */
export const chunkCount = (valid: number): number => Math.ceil(valid / CHUNK_SIZE)
