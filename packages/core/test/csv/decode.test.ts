import { isUtf8 as nodeIsUtf8 } from "node:buffer"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  type DecodeInfo,
  decodeText,
  decodeWindows1252,
  isUtf8,
  readAllText,
  windows1252ByTable,
} from "../../src/csv/decode.js"

async function* chunksOf(...parts: Array<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p
}
const decode = async (...parts: Array<Uint8Array>) => {
  const info: DecodeInfo = { encoding: "utf-8" }
  let text = ""
  for await (const t of decodeText(chunksOf(...parts), info)) text += t
  return { text, ...info }
}
/** `bytes` cut at the given offsets. */
const cut = (bytes: Uint8Array, at: ReadonlyArray<number>): Array<Uint8Array> => {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Array<Uint8Array> = []
  let from = 0
  for (const p of points) {
    out.push(bytes.subarray(from, p))
    from = p
  }
  out.push(bytes.subarray(from))
  return out
}

describe("decoding without Node", () => {
  it("Windows-1252: every byte as the WHATWG decoder (Node's TextDecoder) reads it, with or without it", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    const whatwg = new TextDecoder("windows-1252").decode(all)
    expect(decodeWindows1252(all)).toBe(whatwg)
    // The table, for runtimes whose TextDecoder does not know the encoding.
    expect(windows1252ByTable(all)).toBe(whatwg)
    expect(windows1252ByTable(new Uint8Array(100_000).fill(0xe9))).toBe("é".repeat(100_000))
  })

  it("isUtf8 agrees with Node's on arbitrary bytes and on text", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(isUtf8(bytes)).toBe(nodeIsUtf8(bytes))
      }),
      { numRuns: 3000 },
    )
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 30 }), (text) => {
        const bytes = new TextEncoder().encode(text)
        expect(isUtf8(bytes)).toBe(true)
        // A cut-off last character is not valid UTF-8.
        if (bytes.length > 0 && (bytes.at(-1) as number) >= 0x80)
          expect(isUtf8(bytes.subarray(0, -1))).toBe(nodeIsUtf8(bytes.subarray(0, -1)))
      }),
    )
    for (const bad of [
      [0xc0, 0xaf], // overlong
      [0xed, 0xa0, 0x80], // surrogate
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xe9],
    ])
      expect(isUtf8(Uint8Array.from(bad))).toBe(false)
  })

  it("text cut anywhere into chunks decodes the same, whatever the encoding", async () => {
    const text = "Nom;Téléphone;Société\r\nHélène;06 12 34 56 78;« Dupont & fils » €\n"
    const latin = text.replace("«", '"').replace("»", '"').replace("€", "E")
    const encodings: Array<[string, Uint8Array, string]> = [
      ["utf-8", new TextEncoder().encode(text), "utf-8"],
      ["bom", Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]), "utf-8"],
      ["cp1252", Uint8Array.from(Buffer.from(latin, "latin1")), "windows-1252"],
      ["utf-16le", Uint8Array.from([0xff, 0xfe, ...Buffer.from(text, "utf16le")]), "utf-16le"],
      [
        "utf-16be",
        Uint8Array.from([0xfe, 0xff, ...Buffer.from(text, "utf16le").swap16()]),
        "utf-16be",
      ],
    ]
    for (const [label, bytes, encoding] of encodings) {
      const whole = await decode(bytes)
      expect(whole.encoding, label).toBe(encoding)
      expect(whole.text, label).toBe(label === "cp1252" ? latin : text)
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(), { maxLength: 6 }), async (at) => {
          const parts = await decode(...cut(bytes, at))
          expect(parts.text, label).toBe(whole.text)
          expect(parts.encoding, label).toBe(encoding)
        }),
        { numRuns: 150 },
      )
    }
  })

  it("a UTF-8 header over Windows-1252 rows: each line as what it is, marked mixed", async () => {
    const bytes = Uint8Array.from([
      ...Buffer.from("Nom;Téléphone\n"),
      ...Buffer.from("Hélène;06\n", "latin1"),
    ])
    expect(await decode(bytes)).toEqual({
      text: "Nom;Téléphone\nHélène;06\n",
      encoding: "windows-1252",
      mixed: true,
    })
  })

  it("readAllText takes bytes, a ReadableStream or an async iterable", async () => {
    const bytes = new TextEncoder().encode("\uFEFFBonjour à tous")
    expect(await readAllText(bytes)).toBe("Bonjour à tous")
    expect(await readAllText(new Blob([bytes]).stream())).toBe("Bonjour à tous")
    expect(await readAllText(chunksOf(bytes.subarray(0, 5), bytes.subarray(5)))).toBe(
      "Bonjour à tous",
    )
  })
})
