/** Why a recipient CSV could not be read. */
export type CsvErrorReason =
  /** No header names a phone column, and there are several columns. */
  | "NoPhoneColumn"
  /** Several headers name a phone column: the caller must choose one. */
  | "SeveralPhoneColumns"
  /** The column asked for by name is not in the header. */
  | "UnknownColumn"
  /** The column asked for by number is not in the file. */
  | "ColumnOutOfRange"
  /** The text is not CSV: a quoted field never closed, or malformed quotes. */
  | "MalformedCsv"

/**
 * A recipient file that cannot be read as CSV, or whose phone column cannot be told:
 * nothing was read from it. The message names the source (and its line), and for a column
 * problem the headers found and how to choose one. A failure of the input itself (a file
 * that cannot be opened, a stream that errors) is not a `CsvError`: it passes through.
 *
 * @example
 * ```ts
 * const explain = (error: unknown) =>
 *   error instanceof CsvError && error.reason === "NoPhoneColumn"
 *     ? `choose among ${error.headers.join(", ")}`
 *     : String(error)
 * ```
 */
export class CsvError extends Error {
  readonly _tag = "CsvError"
  readonly reason: CsvErrorReason
  /** The source's name (`clients.csv`, `upload`). */
  readonly source: string
  /** The header row found (column problems), as written. */
  readonly headers: ReadonlyArray<string>
  /** 1-based line of the problem, when it has one. */
  readonly line: number | undefined

  constructor(fields: {
    readonly reason: CsvErrorReason
    readonly message: string
    readonly source: string
    readonly headers?: ReadonlyArray<string> | undefined
    readonly line?: number | undefined
  }) {
    super(fields.message)
    this.name = "CsvError"
    this.reason = fields.reason
    this.source = fields.source
    this.headers = fields.headers ?? []
    this.line = fields.line
  }
}
