import { type NumberType, parsePhoneNumberFromString } from "libphonenumber-js/max"
import metadata from "libphonenumber-js/metadata.max.json"
import { describe, expect, it } from "vitest"
import type { PhoneNumber } from "../../src/phone/PhoneNumber.js"
import { parsePhoneNumber } from "../../src/phone/parsePhoneNumber.js"
import { crossCheckCorpus, phoneCorpus } from "../fixtures/phoneCorpus.js"

/**
 * The reference: libphonenumber-js with its max metadata. A French national number is its
 * default region's, FR first, then overseas France by prefix (as the API docs say).
 */
const FRENCH_CODES = new Set(["33", "262", "590", "594", "596"])
const DEFAULT_REGIONS = ["FR", "RE", "YT", "GP", "BL", "MF", "GF", "MQ"] as const

const kindOf = (type: NumberType, countryCode: string): PhoneNumber["kind"] =>
  type === "MOBILE"
    ? "mobile"
    : type === "FIXED_LINE" || (type === "VOIP" && FRENCH_CODES.has(countryCode))
      ? "landline"
      : "other"

const reference = (input: string): PhoneNumber | undefined => {
  for (const region of DEFAULT_REGIONS) {
    const n = parsePhoneNumberFromString(input, region)
    if (n?.isValid()) {
      const countryCode = n.countryCallingCode as string
      return { e164: n.number as string, countryCode, kind: kindOf(n.getType(), countryCode) }
    }
  }
  return undefined
}

const ours = (input: string): PhoneNumber | undefined => {
  const r = parsePhoneNumber(input)
  return r.ok ? r.value : undefined
}

interface Disagreement {
  readonly input: string
  readonly ours: PhoneNumber | undefined
  readonly theirs: PhoneNumber | undefined
}

const disagreements = (corpus: ReadonlyArray<string>): Array<Disagreement> =>
  corpus.flatMap((input) => {
    const o = ours(input)
    const t = reference(input)
    const same =
      o === undefined
        ? t === undefined
        : t !== undefined &&
          o.e164 === t.e164 &&
          o.countryCode === t.countryCode &&
          o.kind === t.kind
    return same ? [] : [{ input, ours: o, theirs: t }]
  })

/** Whether a region of the code has a "national prefix for parsing" rule in the metadata. */
const hasPrefixRule = (code: string): boolean => {
  const json = metadata as unknown as {
    country_calling_codes: Record<string, ReadonlyArray<string>>
    countries: Record<string, ReadonlyArray<unknown>>
  }
  return (json.country_calling_codes[code] ?? []).some((r) => Boolean(json.countries[r]?.[7]))
}

const digitsOf = (e164: string): string => e164.slice(1)
const nationalOf = (n: PhoneNumber): string => digitsOf(n.e164).slice(n.countryCode.length)
const refusal = (input: string): string => {
  const r = parsePhoneNumber(input)
  return r.ok ? "" : r.reason
}

/** Each deliberate disagreement: why, and how to recognise it. */
const deliberate: ReadonlyArray<{
  readonly reason: string
  readonly matches: (d: Disagreement) => boolean
  readonly examples: ReadonlyArray<string>
}> = [
  {
    reason:
      "0263, 0269 and 0596 numbers are Réunion's, Mayotte's and Martinique's (the API docs), " +
      "which libphonenumber-js's French metadata also lists as metropolitan landlines: we send " +
      "them to +262 / +596 (or refuse them where that code has no such range), never to +33",
    matches: ({ ours, theirs }) =>
      theirs?.countryCode === "33" &&
      ["263", "269", "596"].includes(nationalOf(theirs).slice(0, 3)) &&
      ours?.countryCode !== "33",
    examples: ["0269 60 12 34", "0596 15 34 56", "+33 2 63 01 23 45", "0263 51 23 45"],
  },
  {
    reason:
      "abroad only the lengths of a country's numbers are checked, not its allocated ranges " +
      "(those would take ~10,000 automaton states, over the browser bundle budget): we accept, " +
      "normalised as libphonenumber-js reads it, a number it knows does not exist",
    matches: ({ input, ours, theirs }) =>
      ours !== undefined &&
      theirs === undefined &&
      !FRENCH_CODES.has(ours.countryCode) &&
      parsePhoneNumberFromString(input, "FR")?.number === ours.e164,
    examples: ["+44 7700 900123", "+32 2 123 45 67", "+41 10 123 45 67"],
  },
  {
    reason:
      "abroad the kind is read from the first digit (two for the neighbours, Portugal and the " +
      "Maghreb), so where that prefix mixes mobiles, landlines or service numbers we say other " +
      "(the +1 area codes, for one)",
    matches: ({ ours, theirs }) =>
      ours !== undefined &&
      theirs !== undefined &&
      ours.e164 === theirs.e164 &&
      ours.countryCode === theirs.countryCode &&
      ours.kind === "other" &&
      !FRENCH_CODES.has(ours.countryCode),
    examples: ["+1 784 430 1152", "+380 50 123 4554", "00 670 7721 2550"],
  },
  {
    reason:
      "abroad, lengths only service numbers have (Canada's 7-digit 310 numbers among +1's " +
      "10 digits, Ascension's 6-digit ones) are refused: they are no one's phone, and keeping " +
      'them would make "0012345678" the +1 number 234 5678',
    matches: ({ input, ours, theirs }) =>
      ours === undefined &&
      theirs?.kind === "other" &&
      !FRENCH_CODES.has(theirs.countryCode) &&
      refusal(input).includes(" digits after +"),
    examples: ["+1 310 1234", "+247 040001"],
  },
  {
    reason:
      "libphonenumber-js's per-country national-prefix rules (Belarus's 0 and 80, Gabon's 0 " +
      "before 8 digits, Madagascar's and Norfolk Island's short local numbers completed with " +
      "their area code) are not applied: only a trunk 0 is dropped, where 0 is the country's " +
      "national prefix, and the other spellings are refused",
    matches: ({ ours, theirs }) =>
      ours === undefined && theirs !== undefined && hasPrefixRule(theirs.countryCode),
    examples: ["+241 06 03 12 34 1", "+375 029 491 1642", "+261 860 953 6", "+672 02530"],
  },
  {
    reason:
      "a trunk 0 after the country code is dropped wherever the country has one, also where " +
      "libphonenumber-js's national-prefix rule wants a carrier code after it (Colombia's 0 " +
      "and 3…): +57 0321… is read +57 321… (then checked by length only, as any number abroad)",
    matches: ({ input, ours, theirs }) =>
      ours !== undefined &&
      theirs === undefined &&
      input
        .replace(/[^\d+]/g, "")
        .replace(/^(\+|00)/, "")
        .startsWith(`${ours.countryCode}0`) &&
      parsePhoneNumberFromString(ours.e164)?.number === ours.e164,
    examples: ["+57 0321 123 4598", "+57 (0)321 123 4598"],
  },
]

describe("against libphonenumber-js (max metadata)", () => {
  // the wide corpus, and the French-heavy one of the benchmark (15% neighbours)
  const corpus = [...crossCheckCorpus(6_000, 2026), ...phoneCorpus(2_000, 42)]
  const found = disagreements(corpus)

  it("disagrees only deliberately, on an 8,000-spelling corpus", () => {
    const unexplained = found.filter((d) => !deliberate.some((rule) => rule.matches(d)))
    expect(unexplained).toEqual([])
    // agreement is the rule: French lists, overseas, wrong lengths, spreadsheets
    expect(found.length).toBeLessThan(corpus.length * 0.15)
  })

  it.each(deliberate.map((rule) => [rule.reason, rule] as const))("deliberately: %s", (_, rule) => {
    expect(found.some((d) => rule.matches(d))).toBe(true)
    for (const example of rule.examples) {
      const [d] = disagreements([example])
      expect(d, example).toBeDefined()
      expect(rule.matches(d as Disagreement), example).toBe(true)
    }
  })

  it("agrees on every number of the benchmark's French list", () => {
    expect(disagreements(phoneCorpus(500, 7, 0))).toEqual([])
  })
})
