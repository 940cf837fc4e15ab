import fc from "fast-check"
import { parsePhoneNumberFromString } from "libphonenumber-js"
import { describe, expect, it } from "vitest"
import { classify } from "../../src/phone/classify.js"
import { splitCountryCode } from "../../src/phone/countryCode.js"
import { parseGeneral, parsePhoneNumber } from "../../src/phone/parsePhoneNumber.js"
import { frenchDecorations, phoneCorpus } from "../fixtures/phoneCorpus.js"

const e164 = (input: string): string | undefined => {
  const r = parsePhoneNumber(input)
  return r.ok ? r.value.e164 : undefined
}

/** French national significant numbers: first digit 1-7 or 9, 9 digits in all. */
const frenchNine = fc
  .tuple(fc.constantFrom("1", "2", "3", "4", "5", "6", "7", "9"), fc.stringMatching(/^\d{8}$/))
  .map(([first, rest]) => first + rest)

describe("parsePhoneNumber", () => {
  it.each([
    ["0612345678", "+33612345678", "mobile"],
    ["06 12 34 56 78", "+33612345678", "mobile"],
    ["06.12.34.56.78", "+33612345678", "mobile"],
    ["06-12-34-56-78", "+33612345678", "mobile"],
    ["07 81 23 45 67", "+33781234567", "mobile"],
    ["01 44 55 66 77", "+33144556677", "landline"],
    ["05 56 00 00 00", "+33556000000", "landline"],
    ["09 12 34 56 78", "+33912345678", "landline"],
    ["08 00 12 34 56", "+33800123456", "other"],
    ["0033612345678", "+33612345678", "mobile"],
    ["+33 (0)6 12 34 56 78", "+33612345678", "mobile"],
    ["+33 6 12 34 56 78", "+33612345678", "mobile"],
    ["+3306 12 34 56 78", "+33612345678", "mobile"],
    ["33 6 12 34 56 78", "+33612345678", "mobile"],
    ["+32 470 12 34 56", "+32470123456", "mobile"],
    ["0032470123456", "+32470123456", "mobile"],
    ["+49 151 23456789", "+4915123456789", "mobile"],
    ["+44 7700 900123", "+447700900123", "mobile"],
    ["+1 212 555 0100", "+12125550100", "other"],
  ] as const)("%s → %s (%s)", (input, expected, kind) => {
    const r = parsePhoneNumber(input)
    expect(r).toEqual({
      ok: true,
      value: { e164: expected, countryCode: expect.any(String), kind },
    })
  })

  it.each([
    ["", "is empty"],
    ["   ", "is empty"],
    ["abc", "not a digit"],
    ["06 12 34 56 7", "9 digits"],
    ["06 12 34 56 789", "11 digits"],
    ["0012", "E.164"],
    ["612345678", "neither a French national number"],
    ["+33 1234", "after +33"],
    ["(0)6 12 34 56 78", "(0)"],
    ["06 12 34 56 78 x", "not a digit"],
  ] as const)("refuses %j with a reason mentioning %j", (input, fragment) => {
    const r = parsePhoneNumber(input)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toContain(fragment)
  })

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parsePhoneNumber(s)
        expect(typeof r.ok).toBe("boolean")
      }),
    )
  })

  it("every decoration of a French number gives the same E.164", () => {
    fc.assert(
      fc.property(frenchNine, (nine) => {
        for (const form of frenchDecorations(nine)) expect(e164(form)).toBe(`+33${nine}`)
      }),
    )
  })

  it("is idempotent on its output", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          frenchNine.chain((nine) => fc.constantFrom(...frenchDecorations(nine))),
          fc.stringMatching(/^\+[1-9]\d{7,14}$/),
        ),
        (input) => {
          const first = parsePhoneNumber(input)
          if (!first.ok) return
          expect(parsePhoneNumber(first.value.e164)).toEqual(first)
        },
      ),
    )
  })

  it("gives the same E.164 as libphonenumber-js on a 3,000-number corpus", () => {
    const corpus = phoneCorpus(3_000, 42)
    const mismatches = corpus.flatMap((input) => {
      const ours = e164(input)
      const theirs = parsePhoneNumberFromString(input, "FR")?.number
      return ours === theirs ? [] : [{ input, ours, theirs }]
    })
    expect(mismatches).toEqual([])
  })
})

describe("classify", () => {
  it("knows French mobiles and landlines exactly", () => {
    expect(classify("33", "612345678")).toBe("mobile")
    expect(classify("33", "712345678")).toBe("other")
    expect(classify("33", "781234567")).toBe("mobile")
    expect(classify("33", "144556677")).toBe("landline")
    expect(classify("33", "912345678")).toBe("landline")
    expect(classify("33", "800123456")).toBe("other")
  })

  it("knows French overseas departments", () => {
    expect(classify("262", "692123456")).toBe("mobile")
    expect(classify("262", "262123456")).toBe("landline")
    expect(classify("590", "690123456")).toBe("mobile")
    expect(classify("594", "694123456")).toBe("mobile")
    expect(classify("596", "696123456")).toBe("mobile")
    expect(classify("596", "596123456")).toBe("landline")
  })

  it("says other for countries it does not know", () => {
    expect(classify("1", "2125550100")).toBe("other")
  })
})

describe("splitCountryCode", () => {
  it.each([
    ["12125550100", "1"],
    ["74951234567", "7"],
    ["33612345678", "33"],
    ["3524621234", "352"],
    ["262692123456", "262"],
  ] as const)("%s → %s", (digits, cc) => expect(splitCountryCode(digits)).toBe(cc))
})

describe("the fast path for French numbers", () => {
  it("answers exactly like the general parser, on French-looking and arbitrary input", () => {
    const piece = fc.constantFrom(
      "0",
      "06",
      "07",
      "33",
      "+",
      "+33",
      "0033",
      "(0)",
      " ",
      ".",
      "-",
      "/",
      "\t",
      "\u00a0",
      "\n",
      "\u2009",
      "\u0001",
      "x",
      "12",
      "345",
      "6789",
      "00",
    )
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(piece, { maxLength: 12 }).map((p) => p.join("")),
          fc.string(),
        ),
        (text) => {
          expect(parsePhoneNumber(text)).toEqual(parseGeneral(text))
        },
      ),
      { numRuns: 3_000 },
    )
  })
})
