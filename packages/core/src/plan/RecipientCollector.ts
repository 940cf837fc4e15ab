import { normalizeRecipients, type RecipientList } from "../phone/normalizeRecipients.js"
import type { PhoneKind } from "../phone/PhoneNumber.js"

/**
 * A copy of a string that does not hold on to the text it was cut from: V8 keeps a
 * substring of 13+ characters as a view of its parent, and the inputs kept for reports
 * (invalid, duplicates) would keep whole chunks of a file alive.
 */
const detach = (value: string): string => (value.length < 13 ? value : ` ${value}`.slice(1))

/**
 * Inputs normalised at a time: small enough that a batch (and the chunks of text its
 * strings are cut from) dies in the young generation; 32,768 took the peak RSS of a
 * million-row dry run from about 200 MB to about 300 MB.
 */
const BATCH = 2048

/** How many invalid, duplicate and guessed entries are kept (with their origin) by default. */
export const DEFAULT_KEEP = 100

/** A growable array of 32-bit integers: 4 bytes an entry instead of a JS array's 8. */
class IntList {
  data = new Int32Array(1024)
  length = 0
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.length++] = value
  }
}

/** A growable array of doubles. */
class FloatList {
  data = new Float64Array(1024)
  length = 0
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.length++] = value
  }
}

/** A growable array of bytes (a kind code a number). */
class ByteList {
  data = new Uint8Array(1024)
  length = 0
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint8Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.length++] = value
  }
}

/**
 * E.164 numbers (at most 15 digits, so exact as doubles) to the input index where each
 * was first seen: open addressing over typed arrays, a few bytes a number where a
 * `Map<string, number>` of a million numbers costs tens of megabytes.
 */
class NumberIndex {
  private keys = new Float64Array(1 << 12)
  private values = new Int32Array(1 << 12)
  private size = 0

  private slot(keys: Float64Array, key: number): number {
    const mask = keys.length - 1
    const lo = (key % 4294967296) | 0
    const hi = (key / 4294967296) | 0
    let i = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 0) & mask
    while (keys[i] !== 0 && keys[i] !== key) i = (i + 1) & mask
    return i
  }

  /** The index recorded for `key`, or -1. */
  get(key: number): number {
    const i = this.slot(this.keys, key)
    return this.keys[i] === key ? (this.values[i] as number) : -1
  }

  /** Records `index` for `key` unless it has one: returns the earlier index, or -1. */
  getOrInsert(key: number, index: number): number {
    const i = this.slot(this.keys, key)
    if (this.keys[i] === key) return this.values[i] as number
    this.keys[i] = key
    this.values[i] = index
    if (++this.size * 2 > this.keys.length) this.grow()
    return -1
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2)
    const values = new Int32Array(this.keys.length * 2)
    for (let j = 0; j < this.keys.length; j++) {
      const key = this.keys[j] as number
      if (key === 0) continue
      const i = this.slot(keys, key)
      keys[i] = key
      values[i] = this.values[j] as number
    }
    this.keys = keys
    this.values = values
  }
}

const KINDS: ReadonlyArray<PhoneKind> = ["mobile", "landline", "other"]
const KIND_CODE: Readonly<Record<string, number>> = { mobile: 0, landline: 1, other: 2 }

/** Every entry read ends up in exactly one of these: valid + invalid + duplicates + empty = read. */
export interface RecipientCounts {
  readonly read: number
  /** Unique valid numbers: what would be sent. */
  readonly valid: number
  readonly invalid: number
  /** Valid numbers seen earlier in the input (after normalisation): sent once. */
  readonly duplicates: number
  /** Entries with nothing in them (a blank line, an empty cell). */
  readonly empty: number
}

/** One place recipients came from (a file, a flag, an upload) and its share of the entries. */
export interface RecipientSourceCounts {
  readonly name: string
  /** Index of its first entry. */
  readonly first: number
  readonly rows: number
  readonly empty: number
}

/** An entry that could not be read, with where it stood. */
export interface PlannedInvalid {
  /** Zero-based position among every entry read. */
  readonly index: number
  /** `clients.csv:12`, `--to`, `upload:3`. */
  readonly origin: string
  readonly input: string
  readonly reason: string
}

/** An entry that repeats an earlier one (after normalisation): the first one is sent. */
export interface PlannedDuplicate {
  readonly index: number
  readonly origin: string
  readonly input: string
  readonly e164: string
  readonly firstIndex: number
  readonly firstOrigin: string
}

/** An entry accepted on a guess the sender should check (a spreadsheet ate its leading 0). */
export interface PlannedWarning {
  readonly index: number
  readonly origin: string
  readonly input: string
  readonly e164: string
  readonly message: string
}

/**
 * Every entry of a recipient source, normalised and accounted for: counts (exact), the
 * first invalid, duplicate and guessed entries with their origin (`keep` of each), and
 * the unique valid numbers, kept compactly (a double, a byte and two 32-bit integers
 * each) and read by position.
 */
export interface Recipients {
  readonly counts: RecipientCounts
  /** Unique valid numbers by kind. A voicemail drop rings landlines. */
  readonly kinds: Readonly<Record<PhoneKind, number>>
  /** Unique valid numbers per country calling code (`"33"`), the basis of cost estimates. */
  readonly byCountry: Readonly<Record<string, number>>
  readonly sources: ReadonlyArray<RecipientSourceCounts>
  /** The first invalid entries, in input order (`counts.invalid` says how many in all). */
  readonly invalid: ReadonlyArray<PlannedInvalid>
  /** The first duplicates, in input order (`counts.duplicates` says how many in all). */
  readonly duplicates: ReadonlyArray<PlannedDuplicate>
  /** The first entries read on a guess, in input order. */
  readonly warnings: ReadonlyArray<PlannedWarning>
  /** How many entries were read on a guess in all. */
  readonly warningCount: number
  /** Unique valid numbers (= `counts.valid`), in first-occurrence order. */
  readonly size: number
  /** Number `k` (0 ≤ k < size) in E.164. */
  e164(k: number): string
  kind(k: number): PhoneKind
  /** The entry index number `k` was first read at. */
  index(k: number): number
  /** Where entry `index` came from: `clients.csv:12`, or the source's name. */
  originOf(index: number): string
}

/** Options of a {@link RecipientCollector}. */
export interface RecipientCollectorOptions {
  /**
   * How many invalid, duplicate and guessed entries to keep, each (default 100);
   * the counts are exact whatever this is. `Infinity` keeps every one.
   */
  readonly keep?: number | undefined
  /** Entries normalised at a time (default 2,048); for tests. */
  readonly batchSize?: number | undefined
}

interface Source {
  readonly name: string
  readonly first: number
  rows: number
  empty: number
}

/**
 * The local index of each valid number of a list: core puts every input in exactly one
 * of `numbers` (first-occurrence order), `invalid` and `duplicates` (both in input order),
 * so the valid ones are the indices the other two skip.
 */
const validIndices = (list: RecipientList, total: number): Int32Array => {
  const out = new Int32Array(list.numbers.length)
  const { invalid, duplicates } = list
  let a = 0
  let b = 0
  let k = 0
  for (let i = 0; i < total; i++) {
    if (a < invalid.length && invalid[a]?.index === i) a++
    else if (b < duplicates.length && duplicates[b]?.index === i) b++
    else out[k++] = i
  }
  if (k !== out.length || a !== invalid.length || b !== duplicates.length)
    throw new Error("normalizeRecipients no longer puts each input in exactly one list")
  return out
}

/** `+33612345678` → 33612345678 (E.164 has at most 15 digits: exact as a double). */
const keyOf = (e164: string): number => {
  const key = Number(e164.slice(1))
  if (
    e164.charCodeAt(0) !== 43 ||
    e164.charCodeAt(1) === 48 ||
    !Number.isSafeInteger(key) ||
    key <= 0
  )
    throw new Error(`normalizeRecipients returned "${e164}", which is not E.164`)
  return key
}

/**
 * Normalises recipients as they are read, batch by batch, with `normalizeRecipients`
 * (which decides what is valid, its E.164 form and kind), and removes duplicates across
 * batches by E.164. The result is what one call over every entry would give, without
 * holding a million input strings and number objects at once: feed it line by line from a
 * file (the CLI), or row by row from an upload (a Worker), then {@link finish} it.
 *
 * @example
 * ```ts
 * import { RecipientCollector } from "@voicepartner/core/plan/RecipientCollector"
 *
 * const collector = new RecipientCollector()
 * collector.source("clients.csv")
 * collector.add("06 12 34 56 78", 2) // line 2
 * collector.add("", 3) // an empty cell
 * collector.add("12", 4)
 * const recipients = collector.finish()
 * recipients.counts // { read: 3, valid: 1, invalid: 1, duplicates: 0, empty: 1 }
 * recipients.invalid[0]?.origin // "clients.csv:4"
 * ```
 */
export class RecipientCollector {
  private readonly keep: number
  private readonly batchSize: number
  private readonly numbers = new FloatList()
  private readonly kinds = new ByteList()
  private readonly numberIndex = new IntList()
  /** Line of each entry (0: none). */
  private readonly lines = new IntList()
  private readonly sourceList: Array<Source> = []
  private readonly invalid: Array<PlannedInvalid> = []
  private readonly duplicates: Array<PlannedDuplicate> = []
  private readonly warnings: Array<PlannedWarning> = []
  private invalidCount = 0
  private duplicateCount = 0
  private warningCount = 0
  private emptyCount = 0
  private seen: NumberIndex | undefined = new NumberIndex()
  private readonly kindCounts = { mobile: 0, landline: 0, other: 0 }
  private readonly byCountry: Record<string, number> = {}
  /** Inputs of the batch, and the entry index of each. */
  private batch: Array<string> = []
  private batchIndex: Array<number> = []
  private entries = 0

  constructor(options: RecipientCollectorOptions = {}) {
    this.keep = Math.max(0, options.keep ?? DEFAULT_KEEP)
    this.batchSize = Math.max(1, options.batchSize ?? BATCH)
  }

  /** How many entries were added. */
  get size(): number {
    return this.entries
  }

  /** The entries added from now on come from `name` (`clients.csv`, `--to`, `upload`). */
  source(name: string): void {
    this.sourceList.push({ name, first: this.entries, rows: 0, empty: 0 })
  }

  /**
   * One entry: a number as written, from line `line` of the current source (0 when it
   * has no lines, e.g. a flag). An entry with nothing but whitespace counts as empty.
   */
  add(input: string, line = 0): void {
    if (this.seen === undefined) throw new Error("RecipientCollector: add after finish")
    let source = this.sourceList[this.sourceList.length - 1]
    if (source === undefined) {
      this.source("input")
      source = this.sourceList[0] as Source
    }
    const index = this.entries++
    this.lines.push(line)
    source.rows++
    // Only an entry that starts with a space (or a non-ASCII character) can be blank.
    const first = input.charCodeAt(0)
    if (input.length === 0 || ((first <= 32 || first >= 127) && input.trim().length === 0)) {
      source.empty++
      this.emptyCount++
      return
    }
    this.batch.push(input)
    this.batchIndex.push(index)
    if (this.batch.length >= this.batchSize) this.flush()
  }

  /** Several entries of the current source, their lines counted from `firstLine` (0: none). */
  addAll(inputs: Iterable<string>, firstLine = 0): void {
    let line = firstLine
    for (const input of inputs) {
      this.add(input, line)
      if (line > 0) line++
    }
  }

  private originOf = (index: number): string => {
    const sources = this.sourceList
    let low = 0
    let high = sources.length - 1
    // The last source whose first entry is at or before `index`.
    while (low < high) {
      const mid = (low + high + 1) >>> 1
      if ((sources[mid] as Source).first <= index) low = mid
      else high = mid - 1
    }
    const source = sources[low]
    const line = index >= 0 && index < this.lines.length ? (this.lines.data[index] as number) : 0
    return source === undefined ? "?" : line === 0 ? source.name : `${source.name}:${line}`
  }

  private flush(): void {
    const batch = this.batch
    if (batch.length === 0) return
    const at = this.batchIndex
    const seen = this.seen as NumberIndex
    const list = normalizeRecipients(batch)
    const local = validIndices(list, batch.length)
    // Numbers first seen in an earlier batch are duplicates too; merge them with the
    // batch's own duplicates in input order.
    const crossBatch: Array<{ local: number; e164: string; firstIndex: number }> = []
    for (let k = 0; k < list.numbers.length; k++) {
      const n = list.numbers[k] as RecipientList["numbers"][number]
      const i = local[k] as number
      const index = at[i] as number
      const key = keyOf(n.e164)
      const firstIndex = seen.getOrInsert(key, index)
      if (firstIndex >= 0) {
        crossBatch.push({ local: i, e164: n.e164, firstIndex })
        continue
      }
      const code = KIND_CODE[n.kind] ?? 2
      this.numbers.push(key)
      this.kinds.push(code)
      this.numberIndex.push(index)
      this.kindCounts[KINDS[code] as PhoneKind]++
      this.byCountry[n.countryCode] = (this.byCountry[n.countryCode] ?? 0) + 1
    }
    const duplicate = (local: number, e164: string, firstIndex: number) => {
      this.duplicateCount++
      if (this.duplicates.length >= this.keep) return
      const index = at[local] as number
      this.duplicates.push({
        index,
        origin: this.originOf(index),
        input: detach(batch[local] as string),
        e164,
        firstIndex,
        firstOrigin: this.originOf(firstIndex),
      })
    }
    let c = 0
    for (const d of list.duplicates) {
      while (c < crossBatch.length && (crossBatch[c]?.local as number) < d.index) {
        const x = crossBatch[c++] as (typeof crossBatch)[number]
        duplicate(x.local, x.e164, x.firstIndex)
      }
      const first = seen.get(keyOf(d.e164))
      duplicate(d.index, d.e164, first >= 0 ? first : (at[d.firstIndex] as number))
    }
    while (c < crossBatch.length) {
      const x = crossBatch[c++] as (typeof crossBatch)[number]
      duplicate(x.local, x.e164, x.firstIndex)
    }
    for (const w of list.warnings ?? []) {
      this.warningCount++
      if (this.warnings.length >= this.keep) continue
      const index = at[w.index] as number
      this.warnings.push({
        index,
        origin: this.originOf(index),
        input: detach(w.input),
        e164: w.e164,
        message: w.message,
      })
    }
    for (const i of list.invalid) {
      this.invalidCount++
      if (this.invalid.length >= this.keep) continue
      const index = at[i.index] as number
      this.invalid.push({
        index,
        origin: this.originOf(index),
        input: detach(i.input),
        reason: i.reason,
      })
    }
    this.batch = []
    this.batchIndex = []
  }

  /**
   * Every entry added, normalised and counted. The collector's duplicate index is freed:
   * nothing can be added after this.
   */
  finish(): Recipients {
    if (this.seen !== undefined) {
      this.flush()
      this.seen = undefined
    }
    const { numbers, kinds, numberIndex } = this
    const size = numbers.length
    const inRange = (k: number) => k >= 0 && k < size
    return {
      counts: {
        read: this.entries,
        valid: size,
        invalid: this.invalidCount,
        duplicates: this.duplicateCount,
        empty: this.emptyCount,
      },
      kinds: { ...this.kindCounts },
      byCountry: { ...this.byCountry },
      sources: this.sourceList.map((s) => ({ ...s })),
      invalid: this.invalid,
      duplicates: this.duplicates,
      warnings: this.warnings,
      warningCount: this.warningCount,
      size,
      e164: (k) => (inRange(k) ? `+${numbers.data[k]}` : ""),
      kind: (k) => KINDS[inRange(k) ? (kinds.data[k] as number) : 2] as PhoneKind,
      index: (k) => (inRange(k) ? (numberIndex.data[k] as number) : -1),
      originOf: this.originOf,
    }
  }
}

/**
 * Normalises a list at once (for small lists and tests): {@link RecipientCollector} fed
 * with every entry.
 *
 * @example
 * ```ts
 * collectRecipients(["0612345678", "06 12 34 56 78", ""]).counts
 * // { read: 3, valid: 1, invalid: 0, duplicates: 1, empty: 1 }
 * ```
 */
export const collectRecipients = (
  inputs: Iterable<string>,
  options: RecipientCollectorOptions & { readonly source?: string | undefined } = {},
): Recipients => {
  const collector = new RecipientCollector(options)
  if (options.source !== undefined) collector.source(options.source)
  collector.addAll(inputs)
  return collector.finish()
}

/**
 * The valid numbers of a kind with where each came from, at most `limit`, in
 * first-occurrence order (e.g. the landlines a voicemail drop would ring).
 *
 * @example
 * ```ts
 * numbersOfKind(collectRecipients(["0112345678", "0612345678"]), "landline")
 * // [{ e164: "+33112345678", origin: "input" }]
 * ```
 */
export const numbersOfKind = (
  recipients: Recipients,
  kind: PhoneKind,
  limit = Number.POSITIVE_INFINITY,
): Array<{ readonly e164: string; readonly origin: string }> => {
  const out: Array<{ readonly e164: string; readonly origin: string }> = []
  for (let k = 0; k < recipients.size && out.length < limit; k++)
    if (recipients.kind(k) === kind)
      out.push({ e164: recipients.e164(k), origin: recipients.originOf(recipients.index(k)) })
  return out
}
