import { isCountryCode, splitCountryCode } from "../internal/phone/countryCode.js"
import {
  type CountryPlan,
  countryKind,
  countryPlan,
  describeLengths,
  FRENCH_CODES,
  frenchNational,
  frenchTable,
  hasTrunkZero,
  KIND_NONE,
  kindAt,
  lookup,
  markerAt,
  overseasKind,
  phoneKind,
} from "../internal/phone/plans.js"
import type { PhoneKind, PhoneParseResult } from "./PhoneNumber.js"

const fail = (reason: string): PhoneParseResult => ({ ok: false, reason })

/** Punctuation people put in numbers; anything else that is not a digit is an error. */
const isSeparator = (c: number): boolean =>
  c === 32 /* space */ ||
  c === 46 /* . */ ||
  c === 45 /* - */ ||
  c === 47 /* / */ ||
  c === 40 /* ( */ ||
  c === 41 /* ) */ ||
  c === 9 /* tab */ ||
  c === 160 /* nbsp */ ||
  c === 8239 /* narrow nbsp */

/**
 * Parses one phone number into E.164 and classifies it.
 *
 * Accepted: French national forms (`06…`, `07…`, `01…`–`05…`, `09…`, `08…`) with
 * spaces, dots, dashes or slashes; `0033…`, `+33…`, `+33 (0)6…`, `+3306…` and `33 6…`
 * (11 digits); overseas France written nationally (`0692…` is +262 692…, `0690…` +590,
 * `0694…` +594, `0696…` +596, and their landlines); 9 digits whose leading 0 a spreadsheet
 * ate (`612345678`), with a `warning` saying so; any other country in international form
 * (`+…` or `00…`), with its trunk 0 (`+44 (0)20…`, `+49 030…`) dropped.
 *
 * Checked against numbering metadata generated from libphonenumber-js
 * (`metadata.generated.ts`): French and overseas numbers exactly (ranges that do not exist,
 * such as 08 46, are refused); other countries by the lengths of their numbers, with the
 * kind read from the first digits. Hand-written rather than built on the library: it is
 * the hot path of every bulk send and must stay small enough for browsers and Workers.
 *
 * @example
 * ```ts
 * parsePhoneNumber("+33 (0)6 12 34 56 78")
 * // { ok: true, value: { e164: "+33612345678", countryCode: "33", kind: "mobile" } }
 * parsePhoneNumber("0692 12 34 56")
 * // { ok: true, value: { e164: "+262692123456", countryCode: "262", kind: "mobile" } }
 * parsePhoneNumber("612345678")
 * // { ok: true, value: { e164: "+33612345678", … }, warning: "has no leading 0 …" }
 * parsePhoneNumber("+41 79 123 45 678")
 * // { ok: false, reason: "has 10 digits after +41; numbers there have 9" }
 * ```
 */
export const parsePhoneNumber = (input: string): PhoneParseResult =>
  parseFrenchFast(input) ?? parseGeneral(input)

const isAsciiSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

// Digit codes of the number being read: reused, so the common case allocates only the
// E.164 string and the result.
const scratch = new Uint8Array(16)

const KINDS: ReadonlyArray<PhoneKind> = ["other", "landline", "mobile", "other"]

/**
 * The common case in one pass and one string: a metropolitan French number written
 * nationally (`06 12 34 56 78`) or with +33 / 0033 (with or without `(0)` or a stray
 * trunk 0), in a block the French table answers whole. Anything else, including
 * every error, goes to {@link parseGeneral}, which gives the same answers for these inputs
 * (property-tested) and explains failures.
 */
const parseFrenchFast = (input: string): PhoneParseResult | undefined => {
  let n = 0
  let plus = false
  let zeroAt = -1 // where "(0)" stood, in digits
  let first = 0
  let last = input.length - 1
  while (first <= last && isAsciiSpace(input.charCodeAt(first))) first++
  while (last >= first && isAsciiSpace(input.charCodeAt(last))) last--
  for (let i = first; i <= last; i++) {
    const c = input.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (n === 16) return undefined
      scratch[n++] = c
    } else if (c === 43 && n === 0 && !plus) {
      plus = true
    } else if (c === 40 && input.charCodeAt(i + 1) === 48 && input.charCodeAt(i + 2) === 41) {
      if (n === 0 || zeroAt >= 0) return undefined
      zeroAt = n
      i += 2
    } else if (!isSeparator(c)) {
      return undefined
    }
  }
  // Where the 9 national digits start, by form.
  let at: number
  if (!plus && zeroAt < 0 && n === 10 && scratch[0] === 48 && scratch[1] !== 48) {
    at = 1
  } else {
    // +33…, 0033…, or 33 and 9 digits (a + lost in a CRM)
    const intl = plus
      ? 0
      : n > 2 && scratch[0] === 48 && scratch[1] === 48
        ? 2
        : n === 11 && scratch[2] !== 48
          ? 0
          : -1
    if (intl < 0 || scratch[intl] !== 51 || scratch[intl + 1] !== 51) return undefined
    at = intl + 2
    // "(0)" is the trunk 0 right after +33; anywhere else the general parser explains
    if (zeroAt >= 0 && (zeroAt !== at || scratch[at] === 48)) return undefined
    if (n - at === 10 && scratch[at] === 48) at++
    if (n - at !== 9 || scratch[at] === 48) return undefined
  }
  const d0 = scratch[at] as number
  const d1 = scratch[at + 1] as number
  const d2 = scratch[at + 2] as number
  table ??= frenchTable()
  const block = table[d0 * 100 + d1 * 10 + d2 - 5328] as number
  // 0: a block the table does not answer whole; overseas numbers go the general way
  if (block === 0 || block > 3) return undefined
  const e164 = String.fromCharCode(
    43,
    51,
    51,
    d0,
    d1,
    d2,
    scratch[at + 3] as number,
    scratch[at + 4] as number,
    scratch[at + 5] as number,
    scratch[at + 6] as number,
    scratch[at + 7] as number,
    scratch[at + 8] as number,
  )
  return { ok: true, value: { e164, countryCode: "33", kind: KINDS[block] as PhoneKind } }
}

/** The French table, built on first use (see {@link frenchTable}). */
let table: Uint8Array | undefined

/**
 * The general parser behind {@link parsePhoneNumber}, without its fast path: every form,
 * every error with its reason. Exposed so that tests can hold the fast path to it.
 */
export const parseGeneral = (input: string): PhoneParseResult => {
  // Digits are copied run by run (between separators) rather than char by char: one
  // allocation per group instead of one per digit.
  let digits = ""
  let runStart = -1
  let plus = false
  let zeroAt = -1 // where "(0)" stood, in digits: a trunk 0 written in brackets
  const text = input.trim()
  if (text.length === 0) return fail("is empty")
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (runStart < 0) runStart = i
      continue
    }
    if (runStart >= 0) {
      digits += text.slice(runStart, i)
      runStart = -1
    }
    if (c === 43 /* + */ && digits.length === 0 && !plus) {
      plus = true
    } else if (c === 40 && text.charCodeAt(i + 1) === 48 && text.charCodeAt(i + 2) === 41) {
      // "(0)" after a country code: a trunk 0, dropped only where the country has one
      if (digits.length === 0) return fail("starts with (0) instead of a country code")
      if (zeroAt >= 0) return fail("has (0) twice")
      zeroAt = digits.length
      i += 2
    } else if (!isSeparator(c)) {
      return fail(`contains "${text[i]}", which is not a digit or a separator`)
    }
  }
  if (runStart >= 0) digits += text.slice(runStart)
  if (digits.length === 0) return fail("has no digits")

  // "(0)" is a 0 as libphonenumber-js reads it: a trunk prefix where the country has one
  const withZero = zeroAt < 0 ? digits : `${digits.slice(0, zeroAt)}0${digits.slice(zeroAt)}`
  if (plus) return parseInternational(withZero)
  if (digits.startsWith("00")) {
    const international = parseInternational(withZero.slice(2))
    if (international.ok) return international
    return fail(
      `starts with 00, the international prefix, but +${digits.slice(2)} is not a valid number: it ${international.reason}`,
    )
  }
  if (zeroAt >= 0 && !(digits.length === 11 && digits.startsWith("33"))) {
    return fail("has (0) without a country code")
  }
  if (digits.startsWith("0")) {
    if (digits.length !== 10) {
      return fail(
        `is a French national number with ${digits.length} digits instead of 10 (0 followed by 9 digits)`,
      )
    }
    return parseFrench(digits.slice(1))
  }
  if (digits.length === 11 && digits.startsWith("33") && digits[2] !== "0") {
    return parseInternational(withZero)
  }
  if (digits.length === 9) {
    // A CRM export through a spreadsheet: 0612345678 became the number 612345678.
    const french = parseFrench(digits)
    if (!french.ok) {
      return fail(
        `has 9 digits, as a French number that lost its leading 0 would, but 0${digits} ${french.reason}`,
      )
    }
    return {
      ok: true,
      value: french.value,
      warning: `has no leading 0 (a spreadsheet may have eaten it): read as the French number 0${digits}`,
    }
  }
  return fail(
    "is neither a French national number (0 and 9 digits) nor international (+ or 00 and the country code)",
  )
}

/** "06 92" for messages: the first two digits of a national number as people write them. */
const frenchBlock = (nine: string): string => `0${nine[0]} ${nine.slice(1, 3)}`

/** "+262 692 12 34 56" for messages. */
const pairs = (code: string, nine: string): string =>
  `+${code} ${nine.slice(0, 3)} ${nine.slice(3, 5)} ${nine.slice(5, 7)} ${nine.slice(7)}`

const OVERSEAS_NAMES: Readonly<Record<string, string>> = {
  "262": "Réunion and Mayotte",
  "590": "Guadeloupe, Saint-Martin and Saint-Barthélemy",
  "594": "French Guiana",
  "596": "Martinique",
}

/** A French national significant number (9 digits, after the trunk 0): metropolitan or overseas. */
const parseFrench = (nine: string): PhoneParseResult => {
  table ??= frenchTable()
  const block = table[Number(nine.slice(0, 3))] as number
  if (block !== 0) {
    const code = FRENCH_CODES[block >> 2] as string
    return {
      ok: true,
      value: { e164: `+${code}${nine}`, countryCode: code, kind: KINDS[block & 3] as PhoneKind },
    }
  }
  const at = lookup(frenchNational, nine, 0)
  const kind = kindAt(frenchNational, at)
  if (kind === KIND_NONE) {
    return fail(`is in a French range that is not allocated (${frenchBlock(nine)}… does not exist)`)
  }
  const code = markerAt(frenchNational, at) ?? "33"
  return { ok: true, value: { e164: `+${code}${nine}`, countryCode: code, kind: phoneKind(kind) } }
}

/** Digits after `+`: the country code, then a national number checked against its plan. */
const parseInternational = (digits: string): PhoneParseResult => {
  if (digits.startsWith("0")) return fail("has a country code starting with 0")
  const countryCode = splitCountryCode(digits)
  if (!isCountryCode(countryCode)) {
    return fail(`has no known country code (+${digits.slice(0, 3)}… is not assigned)`)
  }
  let national = digits.slice(countryCode.length)
  const overseas = OVERSEAS_NAMES[countryCode]
  if (countryCode === "33" || overseas !== undefined) {
    // "+33 06…": the trunk 0 written after the country code by mistake
    if (national.length === 10 && national.startsWith("0")) national = national.slice(1)
    if (national.length !== 9) {
      return fail(`has ${national.length} digits after +${countryCode} instead of 9`)
    }
    if (national.startsWith("0")) return fail(`has a 0 right after +${countryCode}`)
    if (overseas !== undefined) {
      const kind = overseasKind(countryCode, national) as number
      if (kind === KIND_NONE) {
        return fail(
          `is in a range of ${overseas} that is not allocated (+${countryCode} ${national.slice(0, 3)}… does not exist)`,
        )
      }
      return {
        ok: true,
        value: { e164: `+${countryCode}${national}`, countryCode, kind: phoneKind(kind) },
      }
    }
    const french = parseFrench(national)
    if (french.ok && french.value.countryCode !== "33") {
      const code = french.value.countryCode
      return fail(
        `does not exist: ${frenchBlock(national)}… numbers are in ${OVERSEAS_NAMES[code]}, under +${code} (${pairs(code, national)})`,
      )
    }
    return french
  }
  const plan = countryPlan(countryCode) as CountryPlan
  // "+49 030…", "+44 (0)20…": the trunk 0 of countries that have one
  if (national.startsWith("0") && hasTrunkZero(plan, national)) national = national.slice(1)
  if (!hasLength(plan, national.length)) {
    return fail(
      `has ${national.length} digits after +${countryCode}; numbers there have ${describeLengths(plan)}`,
    )
  }
  const kind = countryKind(plan, national)
  if (kind === KIND_NONE) {
    return fail(`has a 0 right after +${countryCode}, where no number starts with 0`)
  }
  return {
    ok: true,
    value: { e164: `+${countryCode}${national}`, countryCode, kind: phoneKind(kind) },
  }
}

const hasLength = (plan: CountryPlan, length: number): boolean =>
  plan.lengths.includes(length.toString(36))
