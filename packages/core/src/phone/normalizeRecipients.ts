import type { PhoneKind, PhoneNumber } from "./PhoneNumber.js"
import { parsePhoneNumber } from "./parsePhoneNumber.js"

/** A recipient that could not be read, reported where it stood in the input. */
export interface InvalidRecipient {
  /** Zero-based position in the input list. */
  readonly index: number
  readonly input: string
  readonly reason: string
}

/** A recipient that repeats an earlier one (after normalisation), kept out of the send. */
export interface DuplicateRecipient {
  readonly index: number
  readonly input: string
  readonly e164: string
  /** Position of the first occurrence, which is the one sent. */
  readonly firstIndex: number
}

/**
 * A recipient accepted on a guess the caller should show, e.g. `612345678` read as
 * `0612345678` (a spreadsheet ate its leading 0).
 */
export interface RecipientWarning {
  readonly index: number
  readonly input: string
  readonly e164: string
  readonly message: string
}

/**
 * Every input ends up in exactly one of `numbers`, `invalid` and `duplicates`; `warnings`
 * adds, for entries that were read (sent or duplicates), what was guessed about them.
 */
export interface RecipientList {
  /** Unique valid numbers, in first-occurrence order. */
  readonly numbers: ReadonlyArray<PhoneNumber>
  readonly invalid: ReadonlyArray<InvalidRecipient>
  readonly duplicates: ReadonlyArray<DuplicateRecipient>
  /** In input order. */
  readonly warnings: ReadonlyArray<RecipientWarning>
  readonly counts: Readonly<Record<PhoneKind, number>>
}

/**
 * Splits a recipient string on commas, semicolons and newlines (the upstream takes a
 * comma-separated string; CSV exports often use semicolons).
 *
 * @example
 * ```ts
 * splitRecipients("0612345678, 0712345678\n+32470123456") // three entries
 * ```
 */
export const splitRecipients = (text: string): ReadonlyArray<string> =>
  text.split(/[,;\n\r]+/).filter((part) => part.trim().length > 0)

/**
 * Normalises a list of recipients to unique E.164 numbers, reporting every invalid
 * entry and every duplicate one by one: nothing is dropped silently.
 *
 * @example
 * ```ts
 * const list = normalizeRecipients(["06 12 34 56 78", "+33612345678", "12"])
 * list.numbers.length // 1
 * list.duplicates[0]?.firstIndex // 0
 * list.invalid[0]?.index // 2
 * normalizeRecipients(["612345678"]).warnings[0]?.message // "has no leading 0 (…)"
 * ```
 */
export const normalizeRecipients = (inputs: Iterable<string> | string): RecipientList => {
  const entries: ReadonlyArray<string> =
    typeof inputs === "string"
      ? splitRecipients(inputs)
      : Array.isArray(inputs)
        ? inputs
        : [...inputs]
  const numbers: Array<PhoneNumber> = []
  const invalid: Array<InvalidRecipient> = []
  const duplicates: Array<DuplicateRecipient> = []
  const warnings: Array<RecipientWarning> = []
  const seen = new Map<string, number>()
  // Plain counters: a keyed `counts[kind]++` per number costs more than the parse.
  let mobile = 0
  let landline = 0
  let other = 0
  for (let index = 0; index < entries.length; index++) {
    const input = entries[index] as string
    const parsed = parsePhoneNumber(input)
    if (!parsed.ok) {
      invalid.push({ index, input, reason: parsed.reason })
      continue
    }
    const { e164, kind } = parsed.value
    if (parsed.warning !== undefined) {
      warnings.push({ index, input, e164, message: parsed.warning })
    }
    const firstIndex = seen.get(e164)
    if (firstIndex !== undefined) {
      duplicates.push({ index, input, e164, firstIndex })
      continue
    }
    seen.set(e164, index)
    numbers.push(parsed.value)
    if (kind === "mobile") mobile++
    else if (kind === "landline") landline++
    else other++
  }
  return { numbers, invalid, duplicates, warnings, counts: { mobile, landline, other } }
}
