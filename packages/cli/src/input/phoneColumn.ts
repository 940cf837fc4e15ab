import { CsvError } from "@voicepartner/core/csv/CsvError"
import {
  type ColumnOption,
  choosePhoneColumn as chooseColumn,
} from "@voicepartner/core/csv/phoneColumn"
import { UsageError } from "../config/UsageError.js"

export { headerWords, looksLikeNumber, phoneHeaderScore } from "@voicepartner/core/csv/phoneColumn"

/** How the CLI's users choose a CSV's column, as its messages say it: `--column X`. */
export const COLUMN_FLAG: ColumnOption = (value) => `--column ${value}`

/** Core's CSV error as the CLI's usage error (exit code 2); anything else as it is. */
export const asUsageError = (error: unknown): unknown =>
  error instanceof CsvError ? new UsageError(error.message) : error

/**
 * Picks the phone column of a header row (core's `choosePhoneColumn`): `--column NAME`
 * (matched like the synonyms, ignoring case, accents and punctuation) or `--column N`
 * (1-based), else the one header that names a phone (`Téléphone`, `Tél. portable`,
 * `Mobile`, `Phone Number`, `GSM`…), else the one that only says "number" (`Numéro`), else
 * the only column. Anything else is a usage error naming the headers found.
 */
export const choosePhoneColumn = (
  header: ReadonlyArray<string>,
  source: string,
  column: string | undefined,
): number => {
  try {
    return chooseColumn(header, source, column, COLUMN_FLAG)
  } catch (error) {
    throw asUsageError(error)
  }
}
