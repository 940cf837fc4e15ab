import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { normalizeRecipients, splitRecipients } from "../../src/phone/normalizeRecipients.js"
import { frenchDecorations } from "../fixtures/phoneCorpus.js"

/** Recipients as users type them: valid French forms, repeats, and junk. */
const recipient = fc.oneof(
  fc
    .tuple(fc.constantFrom("1", "6", "7", "9"), fc.stringMatching(/^[3-9]\d{7}$/))
    .chain(([a, b]) => fc.constantFrom(...frenchDecorations(a + b))),
  fc.constantFrom("0612345678", "+33 6 12 34 56 78", "01 44 55 66 77", "612345678", "0692123456"),
  fc.string({ maxLength: 12 }),
)

describe("normalizeRecipients", () => {
  it("reports invalid entries and duplicates one by one", () => {
    const list = normalizeRecipients(["06 12 34 56 78", "nope", "+33612345678", "0144556677"])
    expect(list.numbers.map((n) => n.e164)).toEqual(["+33612345678", "+33144556677"])
    expect(list.invalid).toEqual([{ index: 1, input: "nope", reason: expect.any(String) }])
    expect(list.duplicates).toEqual([
      { index: 2, input: "+33612345678", e164: "+33612345678", firstIndex: 0 },
    ])
    expect(list.counts).toEqual({ mobile: 1, landline: 1, other: 0 })
  })

  it("reports each guessed number with its warning, per entry", () => {
    const list = normalizeRecipients(["0612345678", "612345678", "1 44 55 66 77", "0692123456"])
    expect(list.numbers.map((n) => n.e164)).toEqual([
      "+33612345678",
      "+33144556677",
      "+262692123456",
    ])
    expect(list.duplicates).toEqual([
      { index: 1, input: "612345678", e164: "+33612345678", firstIndex: 0 },
    ])
    expect(list.warnings).toEqual([
      { index: 1, input: "612345678", e164: "+33612345678", message: expect.stringContaining("0") },
      {
        index: 2,
        input: "1 44 55 66 77",
        e164: "+33144556677",
        message: expect.stringContaining("leading 0"),
      },
    ])
    expect(normalizeRecipients(["0612345678"]).warnings).toEqual([])
  })

  it("counts overseas numbers under their own country code", () => {
    const list = normalizeRecipients("0692 12 34 56; 0262 12 34 56; 0696 12 34 56")
    expect(list.numbers).toEqual([
      { e164: "+262692123456", countryCode: "262", kind: "mobile" },
      { e164: "+262262123456", countryCode: "262", kind: "landline" },
      { e164: "+596696123456", countryCode: "596", kind: "mobile" },
    ])
    expect(list.counts).toEqual({ mobile: 2, landline: 1, other: 0 })
  })

  it("splits a string on commas, semicolons and newlines", () => {
    expect(splitRecipients("0612345678, 0712345678;0144556677\n+32470123456\r\n")).toHaveLength(4)
    const list = normalizeRecipients("0612345678,0781234567;\n0144556677")
    expect(list.numbers.map((n) => n.e164)).toEqual([
      "+33612345678",
      "+33781234567",
      "+33144556677",
    ])
  })

  it("puts every input in exactly one of numbers, invalid and duplicates", () => {
    fc.assert(
      fc.property(fc.array(recipient, { maxLength: 40 }), (inputs) => {
        const list = normalizeRecipients(inputs)
        expect(list.numbers.length + list.invalid.length + list.duplicates.length).toBe(
          inputs.length,
        )
        const indices = [
          ...list.invalid.map((i) => i.index),
          ...list.duplicates.map((d) => d.index),
        ]
        expect(new Set(indices).size).toBe(indices.length)
        for (const i of indices) expect(i).toBeLessThan(inputs.length)
        const counts = list.counts.mobile + list.counts.landline + list.counts.other
        expect(counts).toBe(list.numbers.length)
        // a warning is about an entry that was read (sent, or a duplicate of one sent)
        const invalid = new Set(list.invalid.map((i) => i.index))
        for (const w of list.warnings) {
          expect(invalid.has(w.index)).toBe(false)
          expect(w.input).toBe(inputs[w.index])
        }
      }),
    )
  })

  it("has no duplicates and keeps first-occurrence order", () => {
    fc.assert(
      fc.property(fc.array(recipient, { maxLength: 40 }), (inputs) => {
        const list = normalizeRecipients(inputs)
        const out = list.numbers.map((n) => n.e164)
        expect(new Set(out).size).toBe(out.length)
        // Brute force: first valid occurrence of each E.164, in input order.
        const expected: Array<string> = []
        for (const input of inputs) {
          const again = normalizeRecipients([input]).numbers[0]?.e164
          if (again !== undefined && !expected.includes(again)) expected.push(again)
        }
        expect(out).toEqual(expected)
        for (const d of list.duplicates) {
          expect(normalizeRecipients([inputs[d.firstIndex]!]).numbers[0]?.e164).toBe(d.e164)
          expect(d.firstIndex).toBeLessThan(d.index)
        }
      }),
    )
  })

  it("is idempotent: normalising the output changes nothing", () => {
    fc.assert(
      fc.property(fc.array(recipient, { maxLength: 40 }), (inputs) => {
        const once = normalizeRecipients(inputs).numbers
        const twice = normalizeRecipients(once.map((n) => n.e164))
        expect(twice.numbers).toEqual(once)
        expect(twice.invalid).toEqual([])
        expect(twice.duplicates).toEqual([])
        expect(twice.warnings).toEqual([])
      }),
    )
  })
})
