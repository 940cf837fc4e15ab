import { createReadStream } from "node:fs"
import { Readable } from "node:stream"
import { RecipientCollector } from "@voicepartner/core/plan/RecipientCollector"
import Papa from "papaparse"
import { UsageError } from "../config/UsageError.js"
import { type DecodeInfo, decodeText, type TextEncoding } from "./decode.js"
import { choosePhoneColumn, looksLikeNumber } from "./phoneColumn.js"

/**
 * One place recipients came from: `--to`, `stdin` or a file, and what was found in it. Its
 * rows are counted by core's collector (`recipients.sources`, in the same order).
 */
export interface RecipientSource {
  /** `--to`, `stdin` or the file's path, as in error messages (`clients.csv:12`). */
  readonly name: string
  encoding?: TextEncoding | undefined
  /** Lines of both UTF-8 and Windows-1252 (each line was decoded as what it is). */
  mixed?: boolean | undefined
  /** `;`, `,`, tab, or `null` for one value per line. */
  delimiter?: string | null | undefined
  /** The header's name of the column read; `null` when the file has no header row. */
  column?: string | null | undefined
  /** 1-based number of the column read. */
  columnNumber?: number | undefined
}

/**
 * Every recipient cell (empty ones too), in input order, handed to core's streaming
 * collector as it is read with the line it stood on (1-based; 0 for `--to` values), and
 * what was found about each source.
 */
export interface RecipientRows {
  readonly collector: RecipientCollector
  readonly sources: Array<RecipientSource>
}

/**
 * An empty {@link RecipientRows}; `keep` invalid, duplicate and guessed entries are kept
 * with their origin (the counts are exact whatever it is).
 */
export const emptyRows = (keep?: number): RecipientRows => ({
  collector: new RecipientCollector({ keep }),
  sources: [],
})

/** Thrown when a recipient source cannot be read; names the source. */
export class RecipientSourceError extends Error {
  readonly _tag = "RecipientSourceError"
}

/** A read failure as a usage error naming the source (a `UsageError` passes through). */
const unreadable =
  (name: string) =>
  (error: unknown): never => {
    if (error instanceof UsageError) throw error
    const code = (error as { code?: string }).code ?? (error as Error).message
    throw new RecipientSourceError(`--to-file: cannot read "${name}" (${code})`)
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

/** The delimiter of a header line: the most frequent of `;`, tab and `,` (in that order on a tie). */
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

/**
 * Reads one CSV or number-list stream into `rows`: encoding (BOM, UTF-8 or Windows-1252),
 * delimiter (`;` `,` tab, from the first line), header (a first row with no number in it)
 * and phone column ({@link choosePhoneColumn}); a file whose first row holds a number has
 * no header and is read from the first column holding a number in that row (or
 * `--column N`). Rows are streamed: memory holds the phone cells, not the file.
 */
export const readRecipientStream = async (
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  rows: RecipientRows,
  column?: string | undefined,
): Promise<RecipientSource> => {
  const info: DecodeInfo = { encoding: "utf-8" }
  const source: RecipientSource = { name }
  rows.sources.push(source)
  rows.collector.source(name)
  const text = decodeText(chunks, info)[Symbol.asyncIterator]()
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
    const next = await text.next().catch(unreadable(name))
    if (next.done === true) done = true
    else head += next.value
  }
  const delimiter = detectDelimiter(firstLine)
  source.delimiter = delimiter
  async function* all(): AsyncGenerator<string> {
    if (head.length > 0) yield head
    if (done) return
    for (;;) {
      const next = await text.next()
      if (next.done === true) return
      yield next.value
    }
  }

  const { collector } = rows
  const nl = linebreak === "\r" ? "\r" : "\n"
  const named = column !== undefined && !/^\d+$/.test(column.trim())
  let line = 1
  let col = -1
  let failure: Error | undefined
  await new Promise<void>((resolve, reject) => {
    let settled = false
    const finish = (error?: unknown) => {
      if (settled) return
      settled = true
      if (error !== undefined) reject(error)
      else resolve()
    }
    Papa.parse<Array<string>>(Readable.from(all(), { objectMode: true }) as never, {
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
        const error = result.errors[0]
        if (error !== undefined) {
          failure = new UsageError(`${name}:${rowLine}: ${describeParseError(error)}`)
          parser.abort()
          return
        }
        if (col < 0) {
          try {
            if (row.every((cell) => cell.trim() === "")) {
              // Blank rows before the first row of content: empty rows, header undecided.
            } else if (named || !row.some(looksLikeNumber)) {
              col = choosePhoneColumn(
                row.map((cell) => cell.trim()),
                name,
                column,
              )
              source.column = (row[col] as string).trim()
              source.columnNumber = col + 1
              return
            } else {
              col = column !== undefined ? Number(column) - 1 : row.findIndex(looksLikeNumber)
              if (col < 0) throw new UsageError(`--column ${column}: columns are numbered from 1`)
              source.column = null
              source.columnNumber = col + 1
            }
          } catch (e) {
            failure = e as Error
            parser.abort()
            return
          }
        }
        // An empty cell (or a blank row) is an entry too: core counts it as empty.
        const cell = col < 0 ? undefined : row[col]
        collector.add(cell === undefined ? "" : unwrapFormula(cell.trim()), rowLine)
      },
      complete: () => finish(failure),
      error: (error: Error) => finish(error),
    })
  }).catch(unreadable(name))
  source.encoding = info.encoding
  source.mixed = info.mixed
  return source
}

/** Where recipients come from. `-` (in `to` or `files`) is stdin, readable once. */
export interface RecipientOptions {
  readonly to: ReadonlyArray<string>
  readonly files: ReadonlyArray<string>
  /** `--column NAME|N` for every file. */
  readonly column?: string | undefined
  readonly stdin?: () => AsyncIterable<Uint8Array>
  /** Invalid, duplicate and guessed entries kept for reports (default core's). */
  readonly keep?: number | undefined
}

/**
 * Gathers recipients from `--to` values (comma or `;` lists), then `--to-file` files, and
 * `-` (stdin) where it is given, every row accounted for.
 */
export const readRecipients = async (options: RecipientOptions): Promise<RecipientRows> => {
  const rows = emptyRows(options.keep)
  const stdin = options.stdin ?? (() => process.stdin)
  let flags: RecipientSource | undefined
  for (const value of options.to) {
    if (value === "-") {
      await readRecipientStream(stdin(), "stdin", rows, options.column)
      flags = undefined
      continue
    }
    if (flags === undefined) {
      flags = { name: "--to" }
      rows.sources.push(flags)
      rows.collector.source("--to")
    }
    for (const part of value.split(/[,;]/)) {
      const input = part.trim()
      if (input.length > 0) rows.collector.add(input)
    }
  }
  for (const file of options.files) {
    if (file === "-") await readRecipientStream(stdin(), "stdin", rows, options.column)
    else
      await readRecipientStream(
        createReadStream(file, { highWaterMark: 256 * 1024 }),
        file,
        rows,
        options.column,
      )
  }
  return rows
}
