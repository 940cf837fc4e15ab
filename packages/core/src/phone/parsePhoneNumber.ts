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
export const parsePhoneNumber = (input: string): PhoneParseResult => {
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
