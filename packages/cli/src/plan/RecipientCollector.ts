import {
  type DuplicateRecipient,
  type InvalidRecipient,
  normalizeRecipients,
  type RecipientList,
  type RecipientWarning,
} from "@voicepartner/core/phone/normalizeRecipients"
import type { PhoneKind } from "@voicepartner/core/phone/PhoneNumber"

/**
 * A copy of a string that does not hold on to the text it was cut from: V8 keeps a
 * substring of 13+ characters as a view of its parent, and the inputs kept for reports
 * (invalid, duplicates) would keep whole chunks of the file alive.
 */
const detach = (value: string): string => (value.length < 13 ? value : ` ${value}`.slice(1))

/**
 * Inputs normalised at a time: small enough that a batch (and the chunks of text its
 * strings are cut from) dies in the young generation; 32,768 took the peak RSS of a
 * million-row dry run from about 200 MB to about 300 MB.
 */
const BATCH = 2048

/** A growable array of 32-bit integers: 4 bytes an entry instead of a JS array's 8. */
export class IntList {
  private data = new Int32Array(1024)
  length = 0
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.length++] = value
  }
  at(index: number): number | undefined {
    return index >= 0 && index < this.length ? this.data[index] : undefined
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

/**
 * The outcome of normalising every recipient: core's {@link RecipientList}, with the
 * valid numbers kept compactly (a double, a kind code and an input index each).
 */
export interface Recipients {
  /** Unique valid numbers. */
  readonly size: number
  e164(k: number): string
  kind(k: number): PhoneKind
  /** Input index of number `k`. */
  index(k: number): number
  readonly invalid: ReadonlyArray<InvalidRecipient>
  readonly duplicates: ReadonlyArray<DuplicateRecipient>
  readonly warnings: ReadonlyArray<RecipientWarning>
  readonly counts: Readonly<Record<PhoneKind, number>>
  /** Unique valid numbers per country calling code. */
  readonly byCountry: ReadonlyMap<string, number>
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
    throw new Error("core's normalizeRecipients no longer puts each input in exactly one list")
  return out
}

/**
 * Normalises recipients as they are read, in batches, with core's `normalizeRecipients`
 * (which decides what is valid, its E.164 form and kind, and duplicates within a batch),
 * and removes duplicates across batches by E.164, core's rule. The result is the list one
 * call over every input would give, without holding a million input strings and number
 * objects at once: a 1,000,000-row file stays under 300 MB.
 */
export class RecipientCollector {
  private readonly numbers = new FloatList()
  private readonly kinds = new IntList()
  private readonly numberIndex = new IntList()
  private readonly invalid: Array<InvalidRecipient> = []
  private readonly duplicates: Array<DuplicateRecipient> = []
  private readonly warnings: Array<RecipientWarning> = []
  private readonly seen = new NumberIndex()
  private readonly counts = { mobile: 0, landline: 0, other: 0 }
  private readonly byCountry = new Map<string, number>()
  private batch: Array<string> = []
  private base = 0

  /** How many inputs were added. */
  get size(): number {
    return this.base + this.batch.length
  }

  add(input: string): void {
    this.batch.push(input)
    if (this.batch.length >= BATCH) this.flush()
  }

  /** `+33612345678` → 33612345678 (E.164 has at most 15 digits: exact as a double). */
  private keyOf(e164: string): number {
    const key = Number(e164.slice(1))
    if (
      e164.charCodeAt(0) !== 43 ||
      e164.charCodeAt(1) === 48 ||
      !Number.isSafeInteger(key) ||
      key <= 0
    )
      throw new Error(`core returned "${e164}", which is not E.164`)
    return key
  }

  private flush(): void {
    const batch = this.batch
    if (batch.length === 0) return
    const base = this.base
    const list = normalizeRecipients(batch)
    const local = validIndices(list, batch.length)
    // Numbers first seen in an earlier batch are duplicates too; merge them with the
    // batch's own duplicates in input order.
    const crossBatch: Array<DuplicateRecipient> = []
    for (let k = 0; k < list.numbers.length; k++) {
      const n = list.numbers[k] as RecipientList["numbers"][number]
      const at = local[k] as number
      const index = base + at
      const key = this.keyOf(n.e164)
      const firstIndex = this.seen.getOrInsert(key, index)
      if (firstIndex >= 0) {
        crossBatch.push({ index, input: detach(batch[at] as string), e164: n.e164, firstIndex })
        continue
      }
      this.numbers.push(key)
      this.kinds.push(KIND_CODE[n.kind] ?? 2)
      this.numberIndex.push(index)
      this.counts[KINDS[KIND_CODE[n.kind] ?? 2] as PhoneKind]++
      this.byCountry.set(n.countryCode, (this.byCountry.get(n.countryCode) ?? 0) + 1)
    }
    let c = 0
    for (const d of list.duplicates) {
      const index = base + d.index
      while (c < crossBatch.length && (crossBatch[c] as DuplicateRecipient).index < index)
        this.duplicates.push(crossBatch[c++] as DuplicateRecipient)
      const first = this.seen.get(this.keyOf(d.e164))
      this.duplicates.push({
        index,
        input: detach(d.input),
        e164: d.e164,
        firstIndex: first >= 0 ? first : base + d.firstIndex,
      })
    }
    while (c < crossBatch.length) this.duplicates.push(crossBatch[c++] as DuplicateRecipient)
    for (const w of list.warnings ?? [])
      this.warnings.push({
        index: base + w.index,
        input: detach(w.input),
        e164: w.e164,
        message: w.message,
      })
    for (const i of list.invalid)
      this.invalid.push({ index: base + i.index, input: detach(i.input), reason: i.reason })
    this.base += batch.length
    this.batch = []
  }

  /** Every input added, normalised. */
  finish(): Recipients {
    this.flush()
    const { numbers, kinds, numberIndex } = this
    return {
      size: numbers.length,
      e164: (k) => `+${numbers.data[k]}`,
      kind: (k) => KINDS[kinds.at(k) ?? 2] as PhoneKind,
      index: (k) => numberIndex.at(k) ?? -1,
      invalid: this.invalid,
      duplicates: this.duplicates,
      warnings: this.warnings,
      counts: { ...this.counts },
      byCountry: this.byCountry,
    }
  }
}

/** The whole list as core's `normalizeRecipients` shape (for tests and small lists). */
export const asRecipientList = (
  r: Recipients,
): Omit<RecipientList, "numbers"> & {
  readonly numbers: ReadonlyArray<{ readonly e164: string; readonly kind: PhoneKind }>
} => ({
  numbers: Array.from({ length: r.size }, (_, k) => ({ e164: r.e164(k), kind: r.kind(k) })),
  invalid: r.invalid,
  duplicates: r.duplicates,
  warnings: r.warnings,
  counts: r.counts,
})
