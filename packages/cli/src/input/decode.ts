import { isAscii, isUtf8 } from "node:buffer"

/** The text encodings the CLI reads: what CRM and spreadsheet exports produce. */
export type TextEncoding = "utf-8" | "windows-1252" | "utf-16le" | "utf-16be"

/** What {@link decodeText} found out about its input, filled in as it reads. */
export interface DecodeInfo {
  encoding: TextEncoding
  /** Lines of both: non-ASCII UTF-8 and Windows-1252 (e.g. exports pasted together). */
  mixed?: boolean | undefined
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

/**
 * Decodes a byte stream to text, chunk by chunk: a byte-order mark picks UTF-8 or UTF-16
 * (and is dropped); otherwise a chunk that is valid UTF-8 is UTF-8, and in a chunk that is
 * not, each line is UTF-8 if it is valid UTF-8 and Windows-1252 (French Excel's default
 * "CSV (séparateur : point-virgule)") if not. `info` says what was found.
 */
export async function* decodeText(
  chunks: AsyncIterable<Uint8Array>,
  info: DecodeInfo = { encoding: "utf-8" },
): AsyncGenerator<string> {
  let pending: Uint8Array = new Uint8Array(0)
  let decided = false
  let utf16: TextDecoder | undefined
  const cp1252 = new TextDecoder("windows-1252")
  let sawUtf8 = false
  let sawCp1252 = false
  const utf8 = (bytes: Uint8Array): string => {
    if (!sawUtf8 && !isAscii(bytes)) sawUtf8 = true
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")
  }
  const windows1252 = (bytes: Uint8Array): string => {
    sawCp1252 = true
    return cp1252.decode(bytes)
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
      if (info.encoding !== "utf-8") utf16 = new TextDecoder(info.encoding, { ignoreBOM: false })
    }
    if (utf16 !== undefined) {
      yield utf16.decode(bytes, { stream: true })
      continue
    }
    const cut = completeUtf8Prefix(bytes)
    const complete = bytes.subarray(0, cut)
    if (isUtf8(complete)) {
      pending = bytes.slice(cut)
      yield utf8(complete)
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
    const rest = utf16.decode(pending)
    if (rest.length > 0) yield rest
  } else if (pending.length > 0) {
    // Fewer than 3 bytes in all, the last line, or a character cut off by the end.
    if (!decided && pending[0] === 0xef && pending[1] === 0xbb) return
    yield byLine(pending)
    report()
  }
}

/** Reads a whole (small) text, e.g. a message file, with the same encoding rules. */
export const readAllText = async (chunks: AsyncIterable<Uint8Array>): Promise<string> => {
  let text = ""
  for await (const part of decodeText(chunks)) text += part
  return text
}
