import Papa from "papaparse"
import type { RecipientCollector } from "../plan/RecipientCollector.js"
import { CsvError } from "./CsvError.js"
import {
  type ByteSource,
  bytesOf,
  type DecodeInfo,
  decodeText,
  type TextEncoding,
} from "./decode.js"
import {
  type ColumnOption,
  choosePhoneColumn,
  looksLikeNumber,
  queryColumnOption,
} from "./phoneColumn.js"

/** What a recipient CSV is read from: text already decoded, or bytes (decoded as they come). */
export type CsvInput = string | ByteSource

/** What was found in a recipient source, filled in as it is read. */
export interface PhoneCsvSource {
  /** The source's name, as in messages and origins (`clients.csv:12`). */
  readonly name: string
  /** `utf-8` for a string input. */
  encoding: TextEncoding
  /** Lines of both UTF-8 and Windows-1252 (each line was decoded as what it is). */
  mixed?: boolean | undefined
  /** `;`, `,`, tab, or `null` for one value per line. */
  delimiter: string | null
  /** The header's name of the column read; `null` when the file has no header row. */
  column: string | null
  /** 1-based number of the column read (`undefined` when no row had content). */
  columnNumber: number | undefined
  /** Entries handed on (every row after the header, blank ones too). */
  rows: number
}

/** How {@link readPhoneCsv} reads. */
export interface ReadPhoneCsvOptions {
  /** The source's name in messages (`clients.csv`, `upload`); default `input`. */
  readonly name?: string | undefined
  /** The phone column, by header name (case, accents, punctuation ignored) or 1-based number. */
  readonly column?: string | undefined
  /** How a user chooses the column, for messages; default `column=X` (a query parameter). */
  readonly columnOption?: ColumnOption | undefined
  /**
   * Each entry, in file order: the phone cell (trimmed; Excel's `="0612345678"` unwrapped;
   * `""` for an empty cell or a blank row) and its 1-based line in the file. What it throws
   * stops the read and is thrown by `readPhoneCsv`.
   */
  readonly onRow: (cell: string, line: number) => void
}

/** Counts a delimiter's occurrences outside double quotes. */
const countOutsideQuotes = (line: string, delimiter: string): number => {
  let count = 0
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '"') quoted = !quoted
    else if (!quoted && c === delimiter) count++
  }
  return count
}

/**
 * The delimiter of a header line: the most frequent of `;`, tab and `,` outside quotes (in
 * that order on a tie); `null` when there is none (one value per line).
 *
 * @example
 * ```ts
 * detectDelimiter('"Nom; prénom",Tel,Email') // ","
 * detectDelimiter("Telephone") // null
 * ```
 */
export const detectDelimiter = (line: string): string | null => {
  let best: string | null = null
  let bestCount = 0
  for (const d of [";", "\t", ","]) {
    const n = countOutsideQuotes(line, d)
    if (n > bestCount) {
      best = d
      bestCount = n
    }
  }
  return best
}

/** A delimiter that never occurs in text: one value per line, quotes still understood. */
const NO_DELIMITER = "\u0000"

/** Characters of a string input handed to the parser at a time. */
const STRING_CHUNK = 1 << 20

/** Excel's `="0612345678"` (written to keep a leading zero) is the number inside. */
const unwrapFormula = (value: string): string =>
  value.length > 3 && value.startsWith('="') && value.endsWith('"') ? value.slice(2, -1) : value

const countOf = (text: string, char: string): number => {
  let n = 0
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++
  return n
}

const describeParseError = (error: Papa.ParseError): string =>
  error.code === "MissingQuotes"
    ? "a quoted field starts here and is never closed"
    : error.code === "InvalidQuotes"
      ? 'a quoted field is malformed (a closing " must be followed by the delimiter or the end of the line)'
      : error.message

async function* textOf(input: CsvInput, info: DecodeInfo): AsyncGenerator<string> {
  if (typeof input !== "string") {
    yield* decodeText(bytesOf(input), info)
    return
  }
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input
  for (let i = 0; i < text.length; i += STRING_CHUNK) yield text.slice(i, i + STRING_CHUNK)
}

/**
 * The event-emitter face of a stream that papaparse's streaming parser reads: chunks are
 * pushed to it one at a time, each parsed synchronously (rows cut by a chunk boundary
 * wait for the next chunk). No Node API: the same parser runs in a Worker.
 */
const pushStream = () => {
  const listeners = new Map<string, (chunk?: string) => void>()
  const stream = {
    readable: true,
    read: () => null,
    on(event: string, listener: (chunk?: string) => void) {
      listeners.set(event, listener)
      return stream
    },
    removeListener(event: string) {
      listeners.delete(event)
      return stream
    },
    pause: () => undefined,
    resume: () => undefined,
  }
  return {
    stream,
    push: (chunk: string) => listeners.get("data")?.(chunk),
    end: () => listeners.get("end")?.(),
  }
}

/**
 * Reads a recipient CSV (or a list of one number per line) and hands each entry to
 * `onRow` with its line, as it reads: memory holds a chunk of the input, never the whole.
 *
 * - bytes are decoded by {@link decodeText} (a BOM picks UTF-8 or UTF-16; else UTF-8, and
 *   Windows-1252 where it is not valid UTF-8); a string is taken as it is (BOM dropped);
 * - the delimiter (`;`, `,` or tab) is the most frequent outside quotes in the first
 *   non-blank line, and so is the line break (LF, CRLF or CR);
 * - the parser is papaparse's (quoted fields hold delimiters, line breaks and `""`);
 * - a first row of content with no number in it is the header: the phone column is
 *   `column`, else the one header naming a phone in French or English, else the only
 *   column ({@link choosePhoneColumn}); a first row that holds a number means no header,
 *   and the column is the first one holding a number in that row (or `column` by number);
 * - every later row is an entry (a blank row is an empty entry), so that a caller can
 *   account for each row.
 *
 * Throws a {@link CsvError} (line and headers named) when the CSV is malformed or its
 * phone column cannot be told; the input's own errors pass through.
 *
 * @example
 * ```ts
 * const cells: Array<string> = []
 * const source = await readPhoneCsv('Nom;Société;Téléphone\nA;"Dupont; et fils";06 12 34 56 78\n', {
 *   name: "crm.csv",
 *   onRow: (cell, line) => cells.push(`${line}:${cell}`),
 * })
 * // cells: ["2:06 12 34 56 78"]; source.delimiter ";", source.column "Téléphone"
 * ```
 */
export const readPhoneCsv = async (
  input: CsvInput,
  options: ReadPhoneCsvOptions,
): Promise<PhoneCsvSource> => {
  const name = options.name ?? "input"
  const column = options.column
  const option = options.columnOption ?? queryColumnOption
  const info: DecodeInfo = { encoding: "utf-8" }
  const source: PhoneCsvSource = {
    name,
    encoding: "utf-8",
    delimiter: null,
    column: null,
    columnNumber: undefined,
    rows: 0,
  }
  const text = textOf(input, info)[Symbol.asyncIterator]()
  try {
    // Read up to the first line break after the first non-blank line: it gives the
    // delimiter and the line break.
    let head = ""
    let done = false
    let firstLine = ""
    let linebreak = "\n"
    for (;;) {
      const body = head.replace(/^[\r\n]+/, "")
      const brk = body.search(/[\r\n]/)
      if (brk >= 0 && (body[brk] === "\n" || brk + 1 < body.length || done)) {
        firstLine = body.slice(0, brk)
        linebreak = body[brk] === "\n" ? "\n" : body[brk + 1] === "\n" ? "\r\n" : "\r"
        break
      }
      if (done) {
        firstLine = body
        break
      }
      const next = await text.next()
      if (next.done === true) done = true
      else head += next.value
    }
    const delimiter = detectDelimiter(firstLine)
    source.delimiter = delimiter

    const nl = linebreak === "\r" ? "\r" : "\n"
    const named = column !== undefined && !/^\d+$/.test(column.trim())
    let line = 1
    let col = -1
    let failure: { readonly error: unknown } | undefined
    let completed = false
    const feed = pushStream()
    Papa.parse<Array<string>>(feed.stream as never, {
      delimiter: delimiter ?? NO_DELIMITER,
      newline: linebreak as "\n",
      quoteChar: '"',
      skipEmptyLines: false,
      step: (result, parser) => {
        if (failure !== undefined) return
        const row = result.data
        const rowLine = line
        line++
        for (let i = 0; i < row.length; i++) {
          const field = row[i] as string
          if (field.length > 0 && field.indexOf(nl) !== -1) line += countOf(field, nl)
        }
        try {
          const error = result.errors[0]
          if (error !== undefined)
            throw new CsvError({
              reason: "MalformedCsv",
              message: `${name}:${rowLine}: ${describeParseError(error)}`,
              source: name,
              line: rowLine,
            })
          if (col < 0) {
            if (row.every((cell) => cell.trim() === "")) {
              // Blank rows before the first row of content: empty rows, header undecided.
            } else if (named || !row.some(looksLikeNumber)) {
              col = choosePhoneColumn(
                row.map((cell) => cell.trim()),
                name,
                column,
                option,
              )
              source.column = (row[col] as string).trim()
              source.columnNumber = col + 1
              return
            } else {
              col = column !== undefined ? Number(column) - 1 : row.findIndex(looksLikeNumber)
              if (col < 0)
                throw new CsvError({
                  reason: "ColumnOutOfRange",
                  message: `${option(column ?? "0")}: columns are numbered from 1`,
                  source: name,
                })
              source.column = null
              source.columnNumber = col + 1
            }
          }
          // An empty cell (or a blank row) is an entry too: a collector counts it as empty.
          const cell = col < 0 ? undefined : row[col]
          source.rows++
          options.onRow(cell === undefined ? "" : unwrapFormula(cell.trim()), rowLine)
        } catch (error) {
          failure = { error }
          parser.abort()
        }
      },
      complete: () => {
        completed = true
      },
      error: (error: Error) => {
        failure ??= { error }
      },
    })
    if (head.length > 0) feed.push(head)
    while (failure === undefined && !done) {
      const next = await text.next()
      if (next.done === true) break
      feed.push(next.value)
    }
    if (failure === undefined) feed.end()
    if (failure !== undefined) throw failure.error
    if (!completed) throw new Error("readPhoneCsv: the parser did not complete")
    return source
  } finally {
    // Stops the input (a stream is cancelled) when reading ended early.
    await text.return?.(undefined)
    source.encoding = info.encoding
    source.mixed = info.mixed
  }
}

/**
 * Reads a recipient CSV into core's {@link RecipientCollector}: a new source named
 * `options.name`, every entry added with its line (so that an invalid row is reported as
 * `crm.csv:12`). See {@link readPhoneCsv}.
 *
 * @example
 * ```ts
 * import { RecipientCollector } from "../plan/RecipientCollector.js"
 *
 * const collector = new RecipientCollector()
 * await collectPhoneCsv(collector, "Téléphone\n06 12 34 56 78\n\n12\n", { name: "crm.csv" })
 * const recipients = collector.finish()
 * // recipients.counts: { read: 3, valid: 1, invalid: 1, duplicates: 0, empty: 1 }
 * // recipients.invalid[0]?.origin: "crm.csv:4"
 * ```
 */
export const collectPhoneCsv = (
  collector: RecipientCollector,
  input: CsvInput,
  options: Omit<ReadPhoneCsvOptions, "onRow"> & {
    /** Called after each entry is added (e.g. to stop past a row limit by throwing). */
    readonly onRow?: ((cell: string, line: number) => void) | undefined
  } = {},
): Promise<PhoneCsvSource> => {
  const then = options.onRow
  collector.source(options.name ?? "input")
  return readPhoneCsv(input, {
    ...options,
    onRow: (cell, line) => {
      collector.add(cell, line)
      then?.(cell, line)
    },
  })
}
