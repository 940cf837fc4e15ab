/**
 * Text decoding of recipient files as CRM and spreadsheet exports write them, on any
 * runtime (no Node API): UTF-8, Windows-1252 (French Excel's "CSV (séparateur :
 * point-virgule)"), and UTF-16 with a byte-order mark (Excel's "Unicode text").
 */

/** The text encodings the reader understands. */
export type TextEncoding = "utf-8" | "windows-1252" | "utf-16le" | "utf-16be"

/** What {@link decodeText} found out about its input, filled in as it reads. */
export interface DecodeInfo {
  encoding: TextEncoding
  /** Lines of both: non-ASCII UTF-8 and Windows-1252 (e.g. exports pasted together). */
  mixed?: boolean | undefined
}

/** Windows-1252's 0x80–0x9F (the rest is Latin-1), as the WHATWG Encoding standard maps them. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
]

/** Characters turned into a string at a time (`String.fromCharCode` takes its arguments on the stack). */
const SLICE = 8192

const fromCodeUnits = (units: Uint16Array): string => {
  let text = ""
  for (let i = 0; i < units.length; i += SLICE)
    text += String.fromCharCode.apply(
      null,
      units.subarray(i, i + SLICE) as unknown as Array<number>,
    )
  return text
}

/**
 * Windows-1252 bytes as text with the table above: for a runtime whose `TextDecoder` does
 * not know the encoding (Node, browsers, Deno and workerd do).
 *
 * @example
 * ```ts
 * windows1252ByTable(new Uint8Array([0x54, 0xe9, 0x6c, 0x20, 0x80])) // "Tél €"
 * ```
 */
export const windows1252ByTable = (bytes: Uint8Array): string => {
  const units = new Uint16Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    units[i] = b >= 0x80 && b < 0xa0 ? (CP1252_HIGH[b - 0x80] as number) : b
  }
  return fromCodeUnits(units)
}

/** The runtime's Windows-1252 decoder, if it has a correct one (`null`: the table). */
let nativeWindows1252: TextDecoder | null | undefined

/**
 * Windows-1252 bytes as text (every byte is a character): the runtime's decoder when it
 * has one that reads the encoding as the WHATWG standard does, else the table.
 *
 * @example
 * ```ts
 * decodeWindows1252(new Uint8Array([0x54, 0xe9, 0x6c, 0x20, 0x80])) // "Tél €"
 * ```
 */
export const decodeWindows1252 = (bytes: Uint8Array): string => {
  if (nativeWindows1252 === undefined)
    try {
      const decoder = new TextDecoder("windows-1252")
      nativeWindows1252 =
        decoder.decode(new Uint8Array([0x80, 0x81, 0x9f, 0xe9])) === "\u20ac\u0081\u0178\u00e9"
          ? decoder
          : null
    } catch {
      nativeWindows1252 = null
    }
  return nativeWindows1252 === null ? windows1252ByTable(bytes) : nativeWindows1252.decode(bytes)
}

/** The strict UTF-8 decoder (created on first use): it refuses what is not UTF-8. */
let strictUtf8: TextDecoder | undefined

/**
 * `bytes` as UTF-8 text, or `undefined` when they are not well-formed UTF-8 (the
 * runtime's own validation: one pass, native). A BOM is kept as text.
 */
const utf8OrUndefined = (bytes: Uint8Array): string | undefined => {
  strictUtf8 ??= new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * Whether `bytes` are well-formed UTF-8 (no overlong form, no surrogate, nothing past
 * U+10FFFF, no sequence cut off at the end).
 *
 * @example
 * ```ts
 * isUtf8(new TextEncoder().encode("Téléphone")) // true
 * isUtf8(new Uint8Array([0x54, 0xe9, 0x6c])) // false: Windows-1252
 * ```
 */
export const isUtf8 = (bytes: Uint8Array): boolean => {
  const end = bytes.length
  let i = 0
  while (i < end) {
    const b = bytes[i] as number
    if (b < 0x80) {
      i++
      continue
    }
    let length: number
    let low = 0x80
    let high = 0xbf
    if (b >= 0xc2 && b <= 0xdf) length = 2
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3
      if (b === 0xe0) low = 0xa0
      else if (b === 0xed) high = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4
      if (b === 0xf0) low = 0x90
      else if (b === 0xf4) high = 0x8f
    } else return false
    if (i + length > end) return false
    const second = bytes[i + 1] as number
    if (second < low || second > high) return false
    for (let j = 2; j < length; j++) if (((bytes[i + j] as number) & 0xc0) !== 0x80) return false
    i += length
  }
  return true
}

/**
 * Where the last complete UTF-8 sequence of `bytes` ends: a multi-byte character cut by
 * the chunk boundary is kept for the next chunk.
 */
const completeUtf8Prefix = (bytes: Uint8Array): number => {
  const end = bytes.length
  for (let i = end - 1; i >= 0 && i >= end - 4; i--) {
    const b = bytes[i] as number
    if ((b & 0xc0) === 0x80) continue // continuation byte: look further back
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
    return i + length > end ? i : end
  }
  return end
}

/** Whether `bytes` hold at least one well-formed multi-byte UTF-8 sequence. */
const hasUtf8Sequence = (bytes: Uint8Array): boolean => {
  const end = bytes.length
  for (let i = 0; i < end; i++) {
    const b = bytes[i] as number
    if (b < 0xc2 || b > 0xf4) continue
    const length = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4
    if (i + length > end) return false
    let ok = true
    for (let j = 1; j < length; j++) if (((bytes[i + j] as number) & 0xc0) !== 0x80) ok = false
    if (ok) return true
  }
  return false
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.length === 0) return b
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/** UTF-16 of either byte order, chunk by chunk (an odd byte waits for the next chunk). */
class Utf16Decoder {
  private odd: Uint8Array = new Uint8Array(0)
  constructor(private readonly littleEndian: boolean) {}
  decode(chunk: Uint8Array): string {
    const bytes = concat(this.odd, chunk)
    const even = bytes.length - (bytes.length % 2)
    this.odd = bytes.slice(even)
    const units = new Uint16Array(even / 2)
    const [lo, hi] = this.littleEndian ? [0, 1] : [1, 0]
    for (let i = 0, k = 0; i < even; i += 2, k++)
      units[k] = (bytes[i + lo] as number) | ((bytes[i + hi] as number) << 8)
    return fromCodeUnits(units)
  }
  /** A byte left over at the end: a character cut off, shown as U+FFFD. */
  end(): string {
    return this.odd.length > 0 ? "\ufffd" : ""
  }
}

/**
 * Decodes a byte stream to text, chunk by chunk: a byte-order mark picks UTF-8 or UTF-16
 * (and is dropped); otherwise a chunk that is valid UTF-8 is UTF-8, and in a chunk that is
 * not, each line is UTF-8 if it is valid UTF-8 and Windows-1252 (French Excel's default
 * "CSV (séparateur : point-virgule)") if not. `info` says what was found. Uses no Node
 * API: runs in a Worker, a browser, Deno or Node.
 *
 * @example
 * ```ts
 * async function* bytes() {
 *   yield new Uint8Array([0x54, 0xe9, 0x6c, 0x0a]) // "Tél\n" in Windows-1252
 * }
 * const info: DecodeInfo = { encoding: "utf-8" }
 * let text = ""
 * for await (const part of decodeText(bytes(), info)) text += part
 * // text === "Tél\n", info.encoding === "windows-1252"
 * ```
 */
export async function* decodeText(
  chunks: AsyncIterable<Uint8Array>,
  info: DecodeInfo = { encoding: "utf-8" },
): AsyncGenerator<string> {
  let pending: Uint8Array = new Uint8Array(0)
  let decided = false
  let utf16: Utf16Decoder | undefined
  // ignoreBOM: a byte-order mark past the start (files pasted together) is kept as text.
  const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true })
  let sawUtf8 = false
  let sawCp1252 = false
  /** Text decoded from valid UTF-8: non-ASCII when it is shorter than its bytes. */
  const sawText = (text: string, bytes: Uint8Array): string => {
    if (!sawUtf8 && text.length !== bytes.length) sawUtf8 = true
    return text
  }
  const utf8 = (bytes: Uint8Array): string => sawText(utf8Decoder.decode(bytes), bytes)
  const windows1252 = (bytes: Uint8Array): string => {
    sawCp1252 = true
    return decodeWindows1252(bytes)
  }
  /** Line by line: UTF-8 where valid, Windows-1252 elsewhere. */
  const byLine = (bytes: Uint8Array): string => {
    let text = ""
    let start = 0
    while (start < bytes.length) {
      const nl = bytes.indexOf(0x0a, start)
      const end = nl === -1 ? bytes.length : nl + 1
      const line = bytes.subarray(start, end)
      text += isUtf8(line) ? utf8(line) : windows1252(line)
      start = end
    }
    return text
  }
  const report = () => {
    if (sawCp1252 && info.encoding === "utf-8") info.encoding = "windows-1252"
    if (sawCp1252 && sawUtf8) info.mixed = true
  }
  for await (const raw of chunks) {
    let bytes = concat(pending, raw)
    pending = new Uint8Array(0)
    if (!decided) {
      if (bytes.length < 3) {
        pending = bytes
        continue
      }
      decided = true
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3)
      else if (bytes[0] === 0xff && bytes[1] === 0xfe) info.encoding = "utf-16le"
      else if (bytes[0] === 0xfe && bytes[1] === 0xff) info.encoding = "utf-16be"
      if (info.encoding !== "utf-8") {
        utf16 = new Utf16Decoder(info.encoding === "utf-16le")
        bytes = bytes.subarray(2)
      }
    }
    if (utf16 !== undefined) {
      const text = utf16.decode(bytes)
      if (text.length > 0) yield text
      continue
    }
    const cut = completeUtf8Prefix(bytes)
    const complete = bytes.subarray(0, cut)
    const text = utf8OrUndefined(complete)
    if (text !== undefined) {
      pending = bytes.slice(cut)
      yield sawText(text, complete)
    } else if (!hasUtf8Sequence(bytes)) {
      // Windows-1252 throughout (the common case): one byte a character, no line to split.
      yield windows1252(bytes)
    } else {
      // Whole lines only: the rest waits for the next chunk.
      const lastNl = bytes.lastIndexOf(0x0a)
      const upTo = lastNl === -1 ? bytes.length : lastNl + 1
      pending = bytes.slice(upTo)
      yield byLine(bytes.subarray(0, upTo))
    }
    report()
  }
  if (utf16 !== undefined) {
    const rest = utf16.end()
    if (rest.length > 0) yield rest
  } else if (pending.length > 0) {
    // Fewer than 3 bytes in all, the last line, or a character cut off by the end.
    if (!decided && pending[0] === 0xef && pending[1] === 0xbb) return
    yield byLine(pending)
    report()
  }
}

/**
 * The bytes of an input, as an async iterable: a `ReadableStream` (a `Request`'s body, a
 * `fetch` answer's), any async iterable of bytes (a Node file stream), or bytes at once.
 */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array

/**
 * A {@link ByteSource} as an async iterable of chunks (a `ReadableStream` read with its
 * reader: not every runtime makes streams async-iterable; the reader is released, and the
 * stream cancelled, when the loop stops early).
 */
export async function* bytesOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source
    return
  }
  if (typeof (source as ReadableStream<Uint8Array>).getReader === "function") {
    const reader = (source as ReadableStream<Uint8Array>).getReader()
    let finished = false
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) {
          finished = true
          return
        }
        yield value
      }
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined)
      reader.releaseLock()
    }
  }
  yield* source as AsyncIterable<Uint8Array>
}

/**
 * Reads a whole (small) text, e.g. a message file, with the same encoding rules.
 *
 * @example
 * ```ts
 * await readAllText(new TextEncoder().encode("\uFEFFBonjour")) // "Bonjour"
 * ```
 */
export const readAllText = async (source: ByteSource): Promise<string> => {
  let text = ""
  for await (const part of decodeText(bytesOf(source))) text += part
  return text
}
