import { classify } from "./classify.js"
import { splitCountryCode } from "./countryCode.js"
import type { PhoneParseResult } from "./PhoneNumber.js"

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
 * (11 digits); any other country in international form (`+…` or `00…`). Hand-written
 * rather than built on a metadata library: it is the hot path of every bulk send and
 * must stay small enough for browsers and Workers.
 *
 * Known limit: French overseas numbers written in national form (`0692…`) are read as
 * metropolitan numbers (`+33692…`), as libphonenumber does; write them as `+262…`.
 *
 * @example
 * ```ts
 * parsePhoneNumber("+33 (0)6 12 34 56 78")
 * // { ok: true, value: { e164: "+33612345678", countryCode: "33", kind: "mobile" } }
 * parsePhoneNumber("12345")
 * // { ok: false, reason: "…" }
 * ```
 */
export const parsePhoneNumber = (input: string): PhoneParseResult =>
  parseFrenchFast(input) ?? parseGeneral(input)

const isAsciiSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13)

// Digit codes of the number being read: reused, so the common case allocates only the
// E.164 string and the result.
const scratch = new Uint8Array(16)

/**
 * The common case in one pass and one string: a French number written nationally
 * (`06 12 34 56 78`) or with +33 / 0033 (with or without `(0)` or a stray trunk 0).
 * Anything else, including every error, goes to {@link parseGeneral}, which gives the
 * same answers for these inputs (property-tested) and explains failures.
 */
const parseFrenchFast = (input: string): PhoneParseResult | undefined => {
  let n = 0
  let plus = false
  let trunkZero = false
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
      if (n === 0) return undefined
      trunkZero = true
      i += 2
    } else if (!isSeparator(c)) {
      return undefined
    }
  }
  // Where the 9 national digits start, by form.
  let at: number
  if (!plus && !trunkZero && n === 10 && scratch[0] === 48 && scratch[1] !== 48) at = 1
  else {
    const intl = plus ? 0 : n > 2 && scratch[0] === 48 && scratch[1] === 48 ? 2 : -1
    if (intl < 0 || scratch[intl] !== 51 || scratch[intl + 1] !== 51) return undefined
    at = intl + 2
    if (n - at === 10 && scratch[at] === 48) at++
    if (n - at !== 9 || scratch[at] === 48) return undefined
  }
  const e164 = String.fromCharCode(
    43,
    51,
    51,
    scratch[at] as number,
    scratch[at + 1] as number,
    scratch[at + 2] as number,
    scratch[at + 3] as number,
    scratch[at + 4] as number,
    scratch[at + 5] as number,
    scratch[at + 6] as number,
    scratch[at + 7] as number,
    scratch[at + 8] as number,
  )
  return { ok: true, value: { e164, countryCode: "33", kind: classify("33", e164.slice(3)) } }
}

/**
 * The general parser behind {@link parsePhoneNumber}, without its fast path: every form,
 * every error with its reason. Exposed so that tests can hold the fast path to it.
 */
export const parseGeneral = (input: string): PhoneParseResult => {
  // Digits are copied run by run (between separators) rather than char by char: one
  // allocation per group instead of one per digit, the main cost on bulk lists.
  let digits = ""
  let runStart = -1
  let plus = false
  let trunkZero = false
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
      // "(0)" after a country code: the national trunk prefix, not part of the number
      if (digits.length === 0) return fail("starts with (0) instead of a country code")
      trunkZero = true
      i += 2
    } else if (!isSeparator(c)) {
      return fail(`contains "${text[i]}", which is not a digit or a separator`)
    }
  }
  if (runStart >= 0) digits += text.slice(runStart)
  if (digits.length === 0) return fail("has no digits")

  let international: string
  if (plus) {
    international = digits
  } else if (digits.startsWith("00")) {
    international = digits.slice(2)
  } else if (digits.startsWith("0")) {
    if (trunkZero) return fail("has (0) without a country code")
    if (digits.length !== 10) {
      return fail(
        `is a French national number with ${digits.length} digits instead of 10 (0 followed by 9 digits)`,
      )
    }
    if (digits[1] === "0") return fail("is a French national number that cannot start with 00x")
    // The most common form: nothing left to check, so answer without the generic path.
    const national = digits.slice(1)
    return {
      ok: true,
      value: { e164: `+33${national}`, countryCode: "33", kind: classify("33", national) },
    }
  } else if (digits.length === 11 && digits.startsWith("33") && digits[2] !== "0") {
    international = digits
  } else {
    return fail(
      "is neither a French national number (0 and 9 digits) nor international (+ or 00 and the country code)",
    )
  }

  if (international.startsWith("0")) return fail("has a country code starting with 0")
  const countryCode = splitCountryCode(international)
  let national = international.slice(countryCode.length)
  if (countryCode === "33") {
    // "+33 06…": the trunk 0 written after the country code by mistake
    if (national.length === 10 && national.startsWith("0")) national = national.slice(1)
    if (national.length !== 9) {
      return fail(`has ${national.length} digits after +33 instead of 9`)
    }
    if (national.startsWith("0")) return fail("has a 0 right after +33")
  } else if (national.length === 10 && national.startsWith("0") && trunkZero) {
    national = national.slice(1)
  }
  const length = countryCode.length + national.length
  if (length < 8 || length > 15) {
    return fail(`has ${length} digits with its country code; E.164 allows 8 to 15`)
  }
  return {
    ok: true,
    value: {
      e164: `+${countryCode}${national}`,
      countryCode,
      kind: classify(countryCode, national),
    },
  }
}
