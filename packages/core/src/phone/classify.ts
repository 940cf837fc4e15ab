import type { PhoneKind } from "./PhoneNumber.js"

/**
 * Mobile and landline prefixes of the national significant number, for France (exactly)
 * and the neighbouring countries our users call most. Anything else is "other": callers
 * are warned rather than misled.
 */
const rules: Readonly<Record<string, ReadonlyArray<readonly [RegExp, PhoneKind]>>> = {
  // France: 06 and 07 (073-079) are mobiles; 01-05 geographic and 09 VoIP lines ring
  // like landlines; 08 are service numbers.
  "33": [
    [/^(6|7[3-9])/, "mobile"],
    [/^[1-59]/, "landline"],
  ],
  // Overseas departments have their own country codes; mobiles start 69x (639 in Mayotte)
  // and landlines repeat the country code.
  "262": [
    [/^(639|69[23])/, "mobile"],
    [/^26[29]/, "landline"],
  ],
  "590": [
    [/^69[01]/, "mobile"],
    [/^590/, "landline"],
  ],
  "594": [
    [/^694/, "mobile"],
    [/^594/, "landline"],
  ],
  "596": [
    [/^69[67]/, "mobile"],
    [/^596/, "landline"],
  ],
  "32": [
    [/^4[5-9]/, "mobile"],
    [/^[1-9]/, "landline"],
  ],
  "41": [
    [/^7[5-9]/, "mobile"],
    [/^[2-6]/, "landline"],
  ],
  "34": [
    [/^[67]/, "mobile"],
    [/^[89]/, "landline"],
  ],
  "44": [
    [/^7[1-57-9]/, "mobile"],
    [/^[12]/, "landline"],
  ],
  "49": [
    [/^1[5-7]/, "mobile"],
    [/^[2-9]/, "landline"],
  ],
  "39": [
    [/^3/, "mobile"],
    [/^0/, "landline"],
  ],
  "352": [
    [/^6/, "mobile"],
    [/^[2-4]/, "landline"],
  ],
  "377": [
    [/^6/, "mobile"],
    [/^[89]/, "landline"],
  ],
}

/**
 * Classifies a national significant number of a given country.
 *
 * @example
 * ```ts
 * classify("33", "612345678") // "mobile"
 * classify("33", "144556677") // "landline"
 * ```
 */
export const classify = (countryCode: string, nationalNumber: string): PhoneKind => {
  if (countryCode === "33") return classifyFrench(nationalNumber)
  const table = rules[countryCode]
  if (table === undefined) return "other"
  for (const [pattern, kind] of table) if (pattern.test(nationalNumber)) return kind
  return "other"
}

/** France, without regular expressions: most recipients are French. Same rules as the table. */
const classifyFrench = (national: string): PhoneKind => {
  const first = national.charCodeAt(0)
  if (first === 54 /* 6 */) return "mobile"
  if (first === 55 /* 7 */) {
    const second = national.charCodeAt(1)
    return second >= 51 && second <= 57 ? "mobile" : "other"
  }
  return (first >= 49 && first <= 53) || first === 57 ? "landline" : "other"
}
