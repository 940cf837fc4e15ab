import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { normalizeRecipients } from "../../src/phone/normalizeRecipients.js"
import {
  collectRecipients,
  numbersOfKind,
  RecipientCollector,
  type Recipients,
} from "../../src/plan/RecipientCollector.js"
import { frenchDecorations } from "../fixtures/phoneCorpus.js"

/** Entries as files hold them: valid French forms, repeats, spreadsheet zeros, blanks, junk. */
const entry = fc.oneof(
  fc
    .tuple(fc.constantFrom("1", "6", "7", "9"), fc.stringMatching(/^[3-9]\d{2}$/))
    .chain(([a, b]) => fc.constantFrom(...frenchDecorations(`${a}${b}12345`))),
  fc.constantFrom(
    "0612345678",
    "+33 6 12 34 56 78",
    "01 44 55 66 77",
    "612345678",
    "0692123456",
    "+32470123456",
    "0812345678",
  ),
  fc.constantFrom("", " ", "\t", "  \u00a0"),
  fc.string({ maxLength: 12 }),
)

/** Entries spread over sources, each with a line number or none. */
const sources = fc.array(
  fc.record({
    name: fc.constantFrom("a.csv", "--to", "stdin", "upload"),
    lines: fc.boolean(),
    entries: fc.array(entry, { maxLength: 40 }),
  }),
  { maxLength: 5 },
)

const feed = (
  input: ReadonlyArray<{ name: string; lines: boolean; entries: ReadonlyArray<string> }>,
  options: { batchSize: number; keep: number },
): Recipients => {
  const collector = new RecipientCollector(options)
  for (const s of input) {
    collector.source(s.name)
    s.entries.forEach((e, i) => {
      collector.add(e, s.lines ? i + 2 : 0)
    })
  }
  return collector.finish()
}

const options = fc.record({
  batchSize: fc.integer({ min: 1, max: 50 }),
  keep: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constant(Number.POSITIVE_INFINITY)),
})

describe("RecipientCollector: every entry accounted for", () => {
  it("valid + invalid + duplicates + empty = read, for any input and any batch size", () => {
    fc.assert(
      fc.property(sources, options, (input, opts) => {
        const r = feed(input, opts)
        const c = r.counts
        const all = input.flatMap((s) => s.entries)
        expect(c.read).toBe(all.length)
        expect(c.valid + c.invalid + c.duplicates + c.empty).toBe(c.read)
        expect(c.empty).toBe(all.filter((e) => e.trim() === "").length)
        expect(r.size).toBe(c.valid)
        expect(r.kinds.mobile + r.kinds.landline + r.kinds.other).toBe(c.valid)
        expect(Object.values(r.byCountry).reduce((a, b) => a + b, 0)).toBe(c.valid)
        expect(r.sources.reduce((n, s) => n + s.rows, 0)).toBe(c.read)
        expect(r.sources.reduce((n, s) => n + s.empty, 0)).toBe(c.empty)
        // The first `keep` of each kept, the counts exact.
        expect(r.invalid.length).toBe(Math.min(opts.keep, c.invalid))
        expect(r.duplicates.length).toBe(Math.min(opts.keep, c.duplicates))
        expect(r.warnings.length).toBe(Math.min(opts.keep, r.warningCount))
      }),
      { numRuns: 300 },
    )
  })

  it("gives what one normalizeRecipients call over the non-empty entries gives", () => {
    fc.assert(
      fc.property(sources, options, (input, opts) => {
        const r = feed(input, { ...opts, keep: Number.POSITIVE_INFINITY })
        const all = input.flatMap((s) => s.entries)
        // Entry index → index among the non-empty ones (what normalizeRecipients sees).
        const nonEmpty: Array<number> = []
        all.forEach((e, i) => {
          if (e.trim() !== "") nonEmpty.push(i)
        })
        const core = normalizeRecipients(nonEmpty.map((i) => all[i] as string))
        const at = (i: number) => nonEmpty[i] as number
        expect(Array.from({ length: r.size }, (_, k) => r.e164(k))).toEqual(
          core.numbers.map((n) => n.e164),
        )
        expect(Array.from({ length: r.size }, (_, k) => r.kind(k))).toEqual(
          core.numbers.map((n) => n.kind),
        )
        expect(r.kinds).toEqual(core.counts)
        expect(r.invalid.map((i) => [i.index, i.input, i.reason])).toEqual(
          core.invalid.map((i) => [at(i.index), i.input, i.reason]),
        )
        expect(r.duplicates.map((d) => [d.index, d.e164, d.firstIndex])).toEqual(
          core.duplicates.map((d) => [at(d.index), d.e164, at(d.firstIndex)]),
        )
        expect(r.warnings.map((w) => [w.index, w.e164, w.message])).toEqual(
          core.warnings.map((w) => [at(w.index), w.e164, w.message]),
        )
      }),
      { numRuns: 200 },
    )
  })
})

describe("RecipientCollector", () => {
  it("names where each entry came from: source and line", () => {
    const c = new RecipientCollector()
    c.source("--to")
    c.add("0612345678")
    c.add("12")
    c.source("clients.csv")
    c.add("", 2)
    c.add("06 12 34 56 78", 3)
    c.add("0112345678", 4)
    c.add("nope", 5)
    const r = c.finish()
    expect(r.counts).toEqual({ read: 6, valid: 2, invalid: 2, duplicates: 1, empty: 1 })
    expect(r.invalid.map((i) => i.origin)).toEqual(["--to", "clients.csv:5"])
    expect(r.duplicates).toEqual([
      {
        index: 3,
        origin: "clients.csv:3",
        input: "06 12 34 56 78",
        e164: "+33612345678",
        firstIndex: 0,
        firstOrigin: "--to",
      },
    ])
    expect(numbersOfKind(r, "landline")).toEqual([
      { e164: "+33112345678", origin: "clients.csv:4" },
    ])
    expect(r.sources).toEqual([
      { name: "--to", first: 0, rows: 2, empty: 0 },
      { name: "clients.csv", first: 2, rows: 4, empty: 1 },
    ])
    expect(() => c.add("0612345678")).toThrow("after finish")
  })

  it("keeps the first N invalid entries and counts them all (a Worker's memory stays flat)", () => {
    const r = collectRecipients(
      Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? `bad${i}` : `06${10_000_000 + i}`)),
      { keep: 5 },
    )
    expect(r.counts.invalid).toBe(5_000)
    expect(r.invalid.map((i) => i.input)).toEqual(["bad0", "bad2", "bad4", "bad6", "bad8"])
    expect(r.counts.valid).toBe(5_000)
  })

  it("spreadsheet zeros are valid with a warning", () => {
    const r = collectRecipients(["612345678"], { source: "export.csv" })
    expect(r.counts.valid).toBe(1)
    expect(r.warnings[0]).toMatchObject({ origin: "export.csv", e164: "+33612345678" })
  })

  it("1,000,000 entries: planned in typed arrays, not a million objects", () => {
    const before = process.memoryUsage().heapUsed
    const c = new RecipientCollector()
    c.source("big.csv")
    for (let i = 0; i < 1_000_000; i++) c.add(`06${String(i).padStart(8, "0")}`, i + 2)
    const r = c.finish()
    globalThis.gc?.()
    const grown = process.memoryUsage().heapUsed - before
    expect(r.counts.valid).toBe(1_000_000)
    expect(r.e164(999_999)).toBe("+33600999999")
    expect(r.originOf(r.index(999_999))).toBe("big.csv:1000001")
    // Typed arrays live outside the JS heap; what is left on it is small.
    expect(grown).toBeLessThan(64 * 1024 * 1024)
  }, 60_000)
})
