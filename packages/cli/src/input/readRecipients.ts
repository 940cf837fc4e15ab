import { createReadStream } from "node:fs"
import { collectPhoneCsv } from "@voicepartner/core/csv/readCsv"
import { RecipientCollector } from "@voicepartner/core/plan/RecipientCollector"
import { UsageError } from "../config/UsageError.js"
import type { TextEncoding } from "./decode.js"
import { asUsageError, COLUMN_FLAG } from "./phoneColumn.js"

export { detectDelimiter } from "@voicepartner/core/csv/readCsv"

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

/** A read failure as a usage error naming the source (core's CSV errors are usage errors). */
const unreadable =
  (name: string) =>
  (error: unknown): never => {
    const usage = asUsageError(error)
    if (usage instanceof UsageError) throw usage
    const code = (error as { code?: string }).code ?? (error as Error).message
    throw new RecipientSourceError(`--to-file: cannot read "${name}" (${code})`)
  }

/**
 * Reads one CSV or number-list stream into `rows` with core's CSV reader
 * (`@voicepartner/core/csv/readCsv`, the gateway's too): encoding (BOM, UTF-8 or
 * Windows-1252), delimiter (`;` `,` tab, from the first line), header (a first row with no
 * number in it) and phone column (`choosePhoneColumn`); a file whose first row holds
 * a number has no header and is read from the first column holding a number in that row
 * (or `--column N`). Rows are streamed: memory holds the phone cells, not the file.
 */
export const readRecipientStream = async (
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  rows: RecipientRows,
  column?: string | undefined,
): Promise<RecipientSource> => {
  const source: RecipientSource = { name }
  rows.sources.push(source)
  const found = await collectPhoneCsv(rows.collector, chunks, {
    name,
    column,
    columnOption: COLUMN_FLAG,
  }).catch(unreadable(name))
  source.delimiter = found.delimiter
  if (found.columnNumber !== undefined) {
    source.column = found.column
    source.columnNumber = found.columnNumber
  }
  source.encoding = found.encoding
  source.mixed = found.mixed
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
