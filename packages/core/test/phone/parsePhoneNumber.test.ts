import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { classify } from "../../src/internal/phone/classify.js"
import { splitCountryCode } from "../../src/internal/phone/countryCode.js"
import { parseGeneral, parsePhoneNumber } from "../../src/phone/parsePhoneNumber.js"
import { frenchDecorations } from "../fixtures/phoneCorpus.js"

const e164 = (input: string): string | undefined => {
  const r = parsePhoneNumber(input)
  return r.ok ? r.value.e164 : undefined
}

/**
 * Metropolitan French national significant numbers in allocated ranges (9 digits): the
 * two first digits of every allocated block outside those shared with overseas France.
 */
const frenchNine = fc
  .tuple(
    fc.constantFrom(
      ..."10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 27 28 29 30 31 32 33 34 35 36 37 38 39 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 60 61 62 64 65 66 67 68 73 74 75 76 77 78 79 90 91 92 93 94 95 96 97 98 99".split(
        " ",
      ),
    ),
    fc.stringMatching(/^\d{7}$/),
  )
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
    ["+44 7911 123456", "+447911123456", "mobile"],
    ["+44 20 7946 0000", "+442079460000", "landline"],
    ["+44 (0)20 7946 0000", "+442079460000", "landline"],
    ["+41 79 123 45 67", "+41791234567", "mobile"],
    ["0041 79 123 45 67", "+41791234567", "mobile"],
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
    ["0012", "+12"],
    ["12345678", "neither a French national number"],
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

  it("every decoration of a metropolitan French number gives the same E.164", () => {
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
          expect(parsePhoneNumber(first.value.e164)).toEqual({ ok: true, value: first.value })
        },
      ),
    )
  })
})

describe("classify", () => {
  it("knows French mobiles and landlines exactly", () => {
    expect(classify("33", "612345678")).toBe("mobile")
    expect(classify("33", "712345678")).toBe("other") // 071: not allocated
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
    expect(classify("596", "596153456")).toBe("landline")
    expect(classify("596", "596123456")).toBe("other") // 0596 12: not allocated
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
      "69",
      "26",
      "59",
      "9",
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

const ok = (input: string) => {
  const r = parsePhoneNumber(input)
  if (!r.ok) throw new Error(`${JSON.stringify(input)} was refused: ${r.reason}`)
  return r
}
const refusal = (input: string): string => {
  const r = parsePhoneNumber(input)
  if (r.ok) throw new Error(`${JSON.stringify(input)} was accepted as ${r.value.e164}`)
  return r.reason
}

describe("overseas France written nationally", () => {
  it.each([
    ["0692 12 34 56", "+262692123456", "262", "mobile"], // Réunion
    ["0693 00 12 34", "+262693001234", "262", "mobile"],
    ["0639 01 23 45", "+262639012345", "262", "mobile"], // Mayotte
    ["0262 12 34 56", "+262262123456", "262", "landline"],
    ["0263 01 23 45", "+262263012345", "262", "landline"],
    ["0269 60 12 34", "+262269601234", "262", "landline"],
    ["0690 12 34 56", "+590690123456", "590", "mobile"], // Guadeloupe, St-Martin, St-Barth
    ["0691 22 34 56", "+590691223456", "590", "mobile"],
    ["0590 12 34 56", "+590590123456", "590", "landline"],
    ["0590 27 12 34", "+590590271234", "590", "landline"], // Saint-Barthélemy
    ["0694 12 34 56", "+594694123456", "594", "mobile"], // Guyane
    ["0594 12 34 56", "+594594123456", "594", "landline"],
    ["0696 12 34 56", "+596696123456", "596", "mobile"], // Martinique
    ["0697 12 34 56", "+596697123456", "596", "mobile"],
    ["0596 15 34 56", "+596596153456", "596", "landline"],
    ["+33 (0)6 92 12 34 56", undefined, undefined, undefined],
  ] as const)("%s → %s (+%s, %s)", (input, e164, countryCode, kind) => {
    if (e164 === undefined) {
      // +33 6 92… does not exist: the number is Réunion's, say so
      expect(refusal(input)).toContain("+262")
      return
    }
    expect(ok(input).value).toEqual({ e164, countryCode, kind })
    // every spelling of it: 0033… and +33… are refused, the own code is accepted
    expect(ok(e164).value).toEqual({ e164, countryCode, kind })
    expect(ok(`00${e164.slice(1)}`).value.e164).toBe(e164)
  })

  it("refuses +33 followed by an overseas number, pointing to its own code", () => {
    expect(refusal("+33 6 92 12 34 56")).toContain("+262 692")
    expect(refusal("0033 5 90 12 34 56")).toContain("+590 590")
    expect(refusal("+33 6 96 12 34 56")).toContain("+596 696")
  })

  it("refuses an overseas range that is not allocated", () => {
    expect(refusal("0693 98 12 34")).toContain("not allocated")
    expect(refusal("0639 08 12 34")).toContain("not allocated")
  })
})

describe("international numbers are checked per country", () => {
  it.each([
    ["+41 79 123 45 678", "+41"], // one digit too many
    ["+32 470 12 34 567", "+32"],
    ["+44 7700 900 1234", "+44"],
    ["0041 79 123 45 678", "+41"],
    ["+1 212 555 01", "+1"],
  ] as const)("refuses %j (wrong length), naming %s", (input, code) => {
    const reason = refusal(input)
    expect(reason).toContain("digits")
    expect(reason).toContain(code)
  })

  it("refuses 00 not followed by a valid international number", () => {
    expect(refusal("0012345678")).toContain("00")
    expect(refusal("0012345678")).toContain("+12345678")
  })

  it("refuses country codes that do not exist", () => {
    expect(refusal("+999 123 456 789")).toContain("country code")
    expect(refusal("+80 1234 5678")).toContain("country code")
  })

  it("classifies mobiles and landlines abroad from generated metadata", () => {
    expect(ok("+32 470 12 34 56").value.kind).toBe("mobile")
    expect(ok("+32 2 212 34 56").value.kind).toBe("landline")
    expect(ok("+49 30 1234567").value.kind).toBe("landline")
    expect(ok("+39 312 345 6789").value.kind).toBe("mobile")
    expect(ok("+39 06 1234 5678").value.kind).toBe("landline")
    expect(ok("+377 6 12 34 56 78").value).toEqual({
      e164: "+377612345678",
      countryCode: "377",
      kind: "mobile",
    })
  })
})

describe("a leading 0 eaten by a spreadsheet", () => {
  it.each([
    ["612345678", "+33612345678", "33", "mobile"],
    ["1 23 45 67 89", "+33123456789", "33", "landline"],
    ["781234567", "+33781234567", "33", "mobile"],
    ["692123456", "+262692123456", "262", "mobile"],
  ] as const)("%s is read as French: %s, with a warning", (input, e164, countryCode, kind) => {
    const r = ok(input)
    expect(r.value).toEqual({ e164, countryCode, kind })
    expect(r.warning).toContain("leading 0")
  })

  it("warns only when it guessed", () => {
    expect(ok("0612345678").warning).toBeUndefined()
    expect(ok("+33612345678").warning).toBeUndefined()
  })

  it("still refuses 9 digits that are no French number", () => {
    expect(refusal("846123456")).toContain("0846")
    expect(refusal("012345678")).toContain("9 digits")
  })
})

describe("every spelling of a French or overseas number agrees", () => {
  const anyNine = fc
    .tuple(fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^\d{8}$/))
    .map(([first, rest]) => `${first}${rest}`)

  it("national, spreadsheet (with its warning), +33 and own-code forms", () => {
    fc.assert(
      fc.property(anyNine, (nine) => {
        const national = parsePhoneNumber(`0${nine}`)
        const sheet = parsePhoneNumber(nine)
        expect(sheet.ok).toBe(national.ok)
        if (!national.ok || !sheet.ok) return
        expect(sheet.value).toEqual(national.value)
        expect(sheet.warning).toContain(`0${nine}`)
        const { countryCode } = national.value
        // +33 only for metropolitan numbers; an overseas one under its own code
        expect(parsePhoneNumber(`+33${nine}`).ok).toBe(countryCode === "33")
        expect(parsePhoneNumber(`+${countryCode} ${nine}`)).toEqual({
          ok: true,
          value: national.value,
        })
      }),
      { numRuns: 2_000 },
    )
  })

  it("classify agrees with the parser", () => {
    fc.assert(
      fc.property(anyNine, (nine) => {
        const r = parsePhoneNumber(`0${nine}`)
        if (r.ok) expect(classify(r.value.countryCode, nine)).toBe(r.value.kind)
      }),
    )
  })
})

describe("French ranges that do not exist", () => {
  it.each([
    ["0846 12 34 56", "08 46"],
    ["0848 12 34 56", "08 48"],
    ["07 12 34 56 78", "07 12"],
    ["04 01 23 45 67", "04 01"],
    ["+33 8 46 12 34 56", "08 46"],
    ["0033 7 00 00 00 00", "07 00"],
  ] as const)("refuses %s with a reason naming the range %s", (input, range) => {
    const reason = refusal(input)
    expect(reason).toContain(range)
    expect(reason).toContain("not allocated")
  })

  it("accepts the allocated 08 ranges as service numbers", () => {
    expect(ok("08 00 12 34 56").value.kind).toBe("other")
    expect(ok("08 36 65 12 34").value.kind).toBe("other")
    expect(ok("08 84 12 34 56").value.kind).toBe("other")
  })
})
