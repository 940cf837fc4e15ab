import { planBulk } from "@voicepartner/core/plan/BulkPlan"
import { numbersOfKind, type Recipients } from "@voicepartner/core/plan/RecipientCollector"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { decodeText } from "../src/input/decode.js"
import { choosePhoneColumn, phoneHeaderScore } from "../src/input/phoneColumn.js"
import {
  detectDelimiter,
  emptyRows,
  readRecipientStream,
  readRecipients,
} from "../src/input/readRecipients.js"

const e164s = (r: Recipients) => Array.from({ length: r.size }, (_, k) => r.e164(k))

async function* chunksOf(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === "string" ? Buffer.from(p) : p
}
/** Where each valid number came from. */
const origins = (r: Recipients) => Array.from({ length: r.size }, (_, k) => r.originOf(r.index(k)))
const read = async (...parts: Array<string | Uint8Array>) => {
  const rows = emptyRows()
  const found = await readRecipientStream(chunksOf(...parts), "f.csv", rows)
  const recipients = rows.collector.finish()
  // What the CLI found in the file, and what core counted in it.
  const source = { ...found, ...recipients.sources.at(-1) }
  return { rows, recipients, source, origins: origins(recipients), numbers: e164s(recipients) }
}
const decode = async (...parts: Array<Uint8Array>) => {
  const info = { encoding: "utf-8" as const } as { encoding: string }
  let text = ""
  for await (const t of decodeText(chunksOf(...parts), info as never)) text += t
  return { text, encoding: info.encoding }
}

describe("recipient input", () => {
  it("reads one number per line with 1-based line numbers, counting blank lines as empty", async () => {
    const { numbers, source, origins } = await read("0612345678\n\n0752345678\n")
    expect(numbers).toEqual(["+33612345678", "+33752345678"])
    expect(origins).toEqual(["f.csv:1", "f.csv:3"])
    expect(source).toMatchObject({ rows: 3, empty: 1, delimiter: null, column: null })
  })
  it("finds the phone column of a CSV with , or ; (quoted header too), CRLF line ends", async () => {
    expect((await read('name,"Phone"\r\nA,0612345678\r\n')).numbers).toEqual(["+33612345678"])
    expect((await read("nom;numero\nA;0612345678")).numbers).toEqual(["+33612345678"])
  })
  it('rows cut anywhere between chunks, a quoted newline, and Excel\'s ="0…"', async () => {
    const { numbers, origins } = await read(
      "nom;adr",
      'esse;tel\nA;"1 rue\nX";06123',
      '45678\nB;x;="0752345678"\n',
    )
    expect(numbers).toEqual(["+33612345678", "+33752345678"])
    expect(origins).toEqual(["f.csv:2", "f.csv:4"])
  })
  it("splits --to comma lists and reads - from stdin", async () => {
    const rows = await readRecipients({
      to: ["0612345678,0752345678", "-"],
      files: [],
      stdin: () => chunksOf("0612345679\n"),
    })
    expect(origins(rows.collector.finish())).toEqual(["--to", "--to", "stdin:1"])
  })
  it("delimiter from the header line, quotes respected", () => {
    expect(detectDelimiter('"Nom; prénom",Tel,Email')).toBe(",")
    expect(detectDelimiter("Nom;Adresse, ville;Tel")).toBe(";")
    expect(detectDelimiter("Nom\tTel")).toBe("\t")
    expect(detectDelimiter("Telephone")).toBeNull()
  })
  it("header synonyms; 'Numéro' only when nothing says phone; 'Numéro client' never", () => {
    expect(phoneHeaderScore("Tél. portable")).toBe(2)
    expect(phoneHeaderScore("N° de téléphone")).toBe(2)
    expect(phoneHeaderScore("Phone 2")).toBe(2)
    expect(phoneHeaderScore("Numéro")).toBe(1)
    expect(phoneHeaderScore("Numéro client")).toBe(0)
    expect(phoneHeaderScore("E-mail")).toBe(0)
    expect(choosePhoneColumn(["Numéro", "Nom", "Portable"], "f", undefined)).toBe(2)
    expect(choosePhoneColumn(["Numéro", "Nom"], "f", undefined)).toBe(0)
    expect(() => choosePhoneColumn(["Numéro client", "Nom"], "f", undefined)).toThrow(
      '"Numéro client", "Nom"',
    )
  })
})

describe("decoding", () => {
  it("UTF-8 split inside a character across chunks stays UTF-8", async () => {
    const bytes = Buffer.from("Téléphone\n")
    expect(await decode(bytes.subarray(0, 2), bytes.subarray(2))).toEqual({
      text: "Téléphone\n",
      encoding: "utf-8",
    })
  })
  it("invalid UTF-8 is Windows-1252 (€ is 0x80 there)", async () => {
    expect(await decode(Buffer.from([0x54, 0xe9, 0x6c, 0x20, 0x80, 0x0a]))).toEqual({
      text: "Tél €\n",
      encoding: "windows-1252",
    })
  })
  it("a UTF-8 header over Windows-1252 rows (files pasted together): each line as it is", async () => {
    const bytes = Buffer.concat([
      Buffer.from("Nom;Téléphone\n"),
      Buffer.from("Hélène;06\n", "latin1"),
    ])
    const info = { encoding: "utf-8" } as { encoding: "utf-8"; mixed?: boolean }
    let text = ""
    for await (const t of decodeText(chunksOf(bytes), info)) text += t
    expect(text).toBe("Nom;Téléphone\nHélène;06\n")
    expect(info).toEqual({ encoding: "windows-1252", mixed: true })
  })
  it("BOMs: UTF-8 dropped, UTF-16LE (Excel's 'Unicode text') decoded", async () => {
    expect((await decode(Buffer.from("\uFEFFtel\n"))).text).toBe("tel\n")
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Tél\t06\n", "utf16le")])
    expect(await decode(utf16.subarray(0, 5), utf16.subarray(5))).toEqual({
      text: "Tél\t06\n",
      encoding: "utf-16le",
    })
  })
})

describe("plan", () => {
  it("origins of valid numbers skip the invalid and duplicate rows", async () => {
    const { recipients } = await read("tel\n12\n0612345678\n0612345678\n0112345678\n")
    expect(
      numbersOfKind(recipients, "mobile")
        .concat(numbersOfKind(recipients, "landline"))
        .map((n) => n.origin),
    ).toEqual(["f.csv:3", "f.csv:5"])
    const plan = planBulk(
      {
        endpoint: "campaign/send",
        message: { tokenAudio: "dev-audio", emailForNotification: "a@b.fr" },
      },
      recipients,
      { now: Date.now() },
    )
    expect(Result.isSuccess(plan) && plan.success.recipients.counts).toEqual({
      read: 4,
      valid: 2,
      invalid: 1,
      duplicates: 1,
      empty: 0,
    })
  })
})
