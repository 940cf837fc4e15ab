import { readFileSync } from "node:fs"

/** One recipient as the user wrote it, with where it came from (for error messages). */
export interface RecipientEntry {
  readonly input: string
  /** `--to` or `file.csv:12` (1-based line number). */
  readonly origin: string
}

const PHONE_HEADER =
  /^(phone|phones|numero|numéro|num|telephone|téléphone|tel|mobile|phone_?number)$/i

/** Detects the CSV delimiter of a header line: `;` (French exports) or `,`. */
const delimiterOf = (header: string): string | undefined =>
  header.includes(";") ? ";" : header.includes(",") ? "," : undefined

/**
 * Reads recipients from a text: one per line, or a CSV whose header has a column named
 * like phone / numero / telephone (delimiter `,` or `;`). Line numbers are kept.
 */
export const parseRecipientText = (text: string, source: string): ReadonlyArray<RecipientEntry> => {
  const lines = text.split(/\r?\n/)
  const first = lines[0]?.trim() ?? ""
  const delimiter = delimiterOf(first)
  const header = delimiter === undefined ? [first] : first.split(delimiter)
  const column = header.findIndex((cell) => PHONE_HEADER.test(cell.trim().replace(/^"|"$/g, "")))
  const entries: Array<RecipientEntry> = []
  lines.forEach((line, i) => {
    if (column >= 0 && i === 0) return
    const cell =
      column >= 0 && delimiter !== undefined ? (line.split(delimiter)[column] ?? "") : line
    const value = cell.trim().replace(/^"|"$/g, "")
    if (value.length > 0) entries.push({ input: value, origin: `${source}:${i + 1}` })
  })
  return entries
}

/** Thrown when a recipient source cannot be read; names the source. */
export class RecipientSourceError extends Error {
  readonly _tag = "RecipientSourceError"
}

/**
 * Gathers recipients from `--to` values (comma lists), `--to-file` files, and `-`
 * (stdin), in that order.
 */
export const readRecipients = (
  to: ReadonlyArray<string>,
  files: ReadonlyArray<string>,
  readStdin: () => string = () => readFileSync(0, "utf8"),
): ReadonlyArray<RecipientEntry> => {
  const entries: Array<RecipientEntry> = []
  for (const value of to) {
    if (value === "-") {
      entries.push(...parseRecipientText(readStdin(), "stdin"))
      continue
    }
    for (const part of value.split(/[,;]/)) {
      if (part.trim().length > 0) entries.push({ input: part.trim(), origin: "--to" })
    }
  }
  for (const file of files) {
    let text: string
    try {
      text = file === "-" ? readStdin() : readFileSync(file, "utf8")
    } catch (cause) {
      const code = (cause as { code?: string }).code ?? "unreadable"
      throw new RecipientSourceError(`--to-file: cannot read "${file}" (${code})`)
    }
    entries.push(...parseRecipientText(text, file === "-" ? "stdin" : file))
  }
  return entries
}
