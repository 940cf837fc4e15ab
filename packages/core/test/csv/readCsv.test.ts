import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { CsvError } from "../../src/csv/CsvError.js"
import { choosePhoneColumn, phoneHeaderScore } from "../../src/csv/phoneColumn.js"
import {
  type CsvInput,
  collectPhoneCsv,
  detectDelimiter,
  type ReadPhoneCsvOptions,
  readPhoneCsv,
} from "../../src/csv/readCsv.js"
import { RecipientCollector } from "../../src/plan/RecipientCollector.js"

/** Every entry `[line, cell]` and what was found. */
const read = async (input: CsvInput, options: Omit<ReadPhoneCsvOptions, "onRow"> = {}) => {
  const rows: Array<[number, string]> = []
  const source = await readPhoneCsv(input, {
    name: "f.csv",
    ...options,
    onRow: (c, l) => rows.push([l, c]),
  })
  return { rows, source }
}
const bytes = (text: string, encoding: BufferEncoding = "utf8") =>
  Uint8Array.from(Buffer.from(text, encoding))
/** A ReadableStream of `data` cut into chunks of `size` bytes, and whether it was cancelled. */
const streamOf = (data: Uint8Array, size: number) => {
  const state = { pulled: 0, cancelled: false }
  let at = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= data.length) return controller.close()
      state.pulled++
      controller.enqueue(data.slice(at, at + size))
      at += size
    },
    cancel() {
      state.cancelled = true
    },
  })
  return { stream, state }
}

const CRM = [
  "Nom;Société;Adresse;Téléphone;Email",
  'Dupont;"Dupont; et fils";"1 rue X',
  'Paris";06 12 34 56 78;a@b.fr',
  "",
  'Martin;"Martin ""SA""";;="0752345678";',
  ";;;;",
  "Durand;D;x;12;d@e.fr",
  "",
].join("\r\n")

describe("readPhoneCsv", () => {
  it('a CRM export: quoted delimiters, quoted line breaks, Excel\'s ="0…", blank rows, CRLF', async () => {
    const { rows, source } = await read(CRM)
    expect(rows).toEqual([
      [2, "06 12 34 56 78"],
      [4, ""],
      [5, "0752345678"],
      [6, ""],
      [7, "12"],
    ])
    expect(source).toMatchObject({
      delimiter: ";",
      column: "Téléphone",
      columnNumber: 4,
      rows: 5,
      encoding: "utf-8",
    })
  })

  it("bytes in Windows-1252 (French Excel), a ReadableStream cut every 7 bytes: the same rows", async () => {
    const latin = CRM.replaceAll("é", "é") // every character here is in Latin-1
    const { stream } = streamOf(bytes(latin, "latin1"), 7)
    const fromStream = await read(stream)
    expect(fromStream.rows).toEqual((await read(CRM)).rows)
    expect(fromStream.source).toMatchObject({ encoding: "windows-1252", column: "Téléphone" })
  })

  it("rows are the same wherever the input is cut", async () => {
    const data = bytes(`\uFEFF${CRM}`)
    const expected = (await read(CRM)).rows
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 64 }), async (size) => {
        expect((await read(streamOf(data, size).stream)).rows).toEqual(expected)
      }),
      { numRuns: 40 },
    )
  })

  it("one number per line (no header, no delimiter), CR line ends, a BOM", async () => {
    const { rows, source } = await read("\uFEFF06 12 34 56 78\r\r+33752345678\r")
    expect(rows).toEqual([
      [1, "06 12 34 56 78"],
      [2, ""],
      [3, "+33752345678"],
    ])
    expect(source).toMatchObject({ delimiter: null, column: null, columnNumber: 1 })
  })

  it("no header row: the first column holding a number, or column N", async () => {
    expect((await read("Dupont,0612345678\nDurand,0752345678\n")).rows).toEqual([
      [1, "0612345678"],
      [2, "0752345678"],
    ])
    expect((await read("0612345678\t0112345678\n", { column: "2" })).rows).toEqual([
      [1, "0112345678"],
    ])
  })

  it("column by name (case, accents, punctuation ignored) or number", async () => {
    const csv = "Nom;Téléphone fixe;Portable\nA;0112345678;0612345678\n"
    expect((await read(csv, { column: "PORTABLE" })).rows).toEqual([[2, "0612345678"]])
    expect((await read(csv, { column: "telephone-fixe" })).rows).toEqual([[2, "0112345678"]])
    expect((await read(csv, { column: "2" })).rows).toEqual([[2, "0112345678"]])
  })

  it("errors name the headers found and how to choose (the caller's spelling of the option)", async () => {
    const fail = async (input: string, options: Omit<ReadPhoneCsvOptions, "onRow"> = {}) => {
      const error = await read(input, options).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(CsvError)
      return error as CsvError
    }
    const several = await fail("Nom;Fixe;Portable;Mobile\nA;1;2;3\n")
    expect(several.reason).toBe("SeveralPhoneColumns")
    expect(several.message).toBe(
      'f.csv has several phone columns: "Portable" (column 3), "Mobile" (column 4); choose one with column=NAME or column=N',
    )
    const none = await fail("Nom;Email;Ville\nA;a@b.fr;Paris\n", {
      columnOption: (v) => `--column ${v}`,
    })
    expect(none).toMatchObject({ reason: "NoPhoneColumn", headers: ["Nom", "Email", "Ville"] })
    expect(none.message).toContain('headers found in f.csv: "Nom", "Email", "Ville"')
    expect(none.message).toContain("--column NAME or --column N")
    expect((await fail("Nom;Tel\n", { column: "Fax" })).message).toBe(
      'column="Fax": no such column; headers found in f.csv: "Nom", "Tel"',
    )
    expect((await fail("Nom;Tel\n", { column: "3" })).reason).toBe("ColumnOutOfRange")
    const unclosed = await fail('nom;tel\nA;0612345678\n"B;0752345678\nC;0612345679\n')
    expect(unclosed).toMatchObject({ reason: "MalformedCsv", line: 3 })
    expect(unclosed.message).toBe("f.csv:3: a quoted field starts here and is never closed")
  })

  it("stops reading when onRow throws, cancelling the stream, and throws what it threw", async () => {
    const big = bytes(`tel\n${"0612345678\n".repeat(50_000)}`)
    const { stream, state } = streamOf(big, 4096)
    const stop = new Error("too many rows")
    let seen = 0
    const error = await readPhoneCsv(stream, {
      onRow: () => {
        if (++seen > 10) throw stop
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBe(stop)
    expect(state.cancelled).toBe(true)
    expect(state.pulled).toBeLessThan(big.length / 4096 / 2)
  })

  it("passes the input's own errors through", async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes("tel\n0612345678\n"))
        controller.error(new TypeError("connection reset"))
      },
    })
    await expect(read(broken)).rejects.toThrow("connection reset")
  })

  it("collectPhoneCsv: every row in core's collector, with its line as origin", async () => {
    const collector = new RecipientCollector()
    await collectPhoneCsv(collector, CRM, { name: "crm.csv" })
    const recipients = collector.finish()
    expect(recipients.counts).toEqual({ read: 5, valid: 2, invalid: 1, duplicates: 0, empty: 2 })
    expect(recipients.invalid.map((i) => i.origin)).toEqual(["crm.csv:7"])
    expect(recipients.originOf(recipients.index(1))).toBe("crm.csv:5")
  })

  it("a million rows in a few seconds", async () => {
    const lines = ["id;societe;telephone"]
    for (let i = 0; i < 1_000_000; i++)
      lines.push(`${i};"Client ${i}; SARL";06${String(i).padStart(8, "0")}`)
    const data = bytes(lines.join("\n"))
    const started = performance.now()
    let n = 0
    await readPhoneCsv(streamOf(data, 64 * 1024).stream, { onRow: () => void n++ })
    expect(n).toBe(1_000_000)
    expect(performance.now() - started).toBeLessThan(10_000)
  }, 30_000)
})

describe("helpers", () => {
  it("delimiter from the header line, quotes respected", () => {
    expect(detectDelimiter('"Nom; prénom",Tel,Email')).toBe(",")
    expect(detectDelimiter("Nom;Adresse, ville;Tel")).toBe(";")
    expect(detectDelimiter("Nom\tTel")).toBe("\t")
    expect(detectDelimiter("Telephone")).toBeNull()
  })

  it("header synonyms; 'Numéro' only when nothing says phone; 'Numéro client' never", () => {
    expect(phoneHeaderScore("Tél. portable")).toBe(2)
    expect(phoneHeaderScore("N° de téléphone")).toBe(2)
    expect(phoneHeaderScore("Numéro")).toBe(1)
    expect(phoneHeaderScore("Numéro client")).toBe(0)
    expect(choosePhoneColumn(["Numéro", "Nom", "Portable"], "f", undefined)).toBe(2)
    expect(choosePhoneColumn(["Numéro", "Nom"], "f", undefined)).toBe(0)
    expect(choosePhoneColumn(["Numéro"], "f", undefined)).toBe(0)
  })

  it("uses no Node API: src/csv imports only itself, core and papaparse", () => {
    const dir = join(import.meta.dirname, "../../src/csv")
    for (const file of readdirSync(dir)) {
      const source = readFileSync(join(dir, file), "utf8")
      for (const [, from] of source.matchAll(/from "([^"]+)"/g))
        expect(from, file).toMatch(/^(\.\.?\/|papaparse$)/)
      expect(source, file).not.toMatch(/\b(Buffer|process|require)\b[.(]/)
    }
  })
})

describe("the CSV reader on the root entry", () => {
  it("is the same reader, and reads a file from there", async () => {
    const root = await import("../../src/index.js")
    expect(root.readPhoneCsv).toBe(readPhoneCsv)
    expect(root.collectPhoneCsv).toBe(collectPhoneCsv)
    expect(root.CsvError).toBe(CsvError)
    const collector = new root.RecipientCollector()
    const found = await root.collectPhoneCsv(collector, "Nom;Portable\nDupont;06 12 34 56 78\n")
    expect(found.column).toBe("Portable")
    const recipients = collector.finish()
    expect(recipients.size).toBe(1)
    expect(recipients.e164(0)).toBe("+33612345678")
  })
})
