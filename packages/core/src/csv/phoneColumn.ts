import { CsvError } from "./CsvError.js"

/**
 * A header cell reduced to lower-case ASCII words: accents, case and punctuation do not
 * matter (`Tél. portable` → `tel portable`, `N° de téléphone` → `n de telephone`).
 *
 * @example
 * ```ts
 * headerWords("N° de téléphone") // "n de telephone"
 * ```
 */
export const headerWords = (cell: string): string =>
  cell
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim()

/** Words that make a header a phone column on their own. */
const PHONE_WORDS = new Set([
  "telephone",
  "telephones",
  "tel",
  "tels",
  "tlf",
  "phone",
  "phones",
  "telefon",
  "telefono",
  "portable",
  "portables",
  "mobile",
  "mobiles",
  "mobil",
  "gsm",
  "cell",
  "cellphone",
  "cellulaire",
  "smartphone",
  "msisdn",
])

/** Words that only say "number": a phone column when no header says more. */
const NUMBER_WORDS = new Set([
  "numero",
  "numeros",
  "num",
  "number",
  "numbers",
  "no",
  "n",
  "nr",
  "nro",
])

/** Words that may qualify a phone header without making it something else. */
const QUALIFIERS = new Set([
  "fixe",
  "fix",
  "domicile",
  "maison",
  "bureau",
  "pro",
  "professionnel",
  "professionnelle",
  "perso",
  "personnel",
  "personnelle",
  "principal",
  "principale",
  "secondaire",
  "contact",
  "client",
  "home",
  "work",
  "office",
  "business",
  "main",
  "primary",
  "secondary",
  "mobile",
  "portable",
  "direct",
  "ligne",
  "line",
])

const ARTICLES = new Set(["de", "du", "d", "des", "le", "la", "of", "the", "a"])

/**
 * How strongly a header names a phone column: 2 it does (`Téléphone fixe`, `Phone 2`),
 * 1 it only says "number" (`Numéro`, `N°`), 0 not (`Numéro client`, `Email`).
 *
 * @example
 * ```ts
 * phoneHeaderScore("Tél. portable") // 2
 * phoneHeaderScore("Numéro") // 1
 * phoneHeaderScore("Numéro client") // 0
 * ```
 */
export const phoneHeaderScore = (cell: string): 0 | 1 | 2 => {
  const words = headerWords(cell).split(" ")
  if (words.length === 1 && words[0] === "") return 0
  if (words.some((w) => PHONE_WORDS.has(w)))
    return words.every(
      (w) =>
        PHONE_WORDS.has(w) ||
        NUMBER_WORDS.has(w) ||
        ARTICLES.has(w) ||
        QUALIFIERS.has(w) ||
        /^\d+$/.test(w),
    )
      ? 2
      : 0
  return words.some((w) => NUMBER_WORDS.has(w)) &&
    words.every((w) => NUMBER_WORDS.has(w) || ARTICLES.has(w))
    ? 1
    : 0
}

/**
 * Digits with the punctuation people write in numbers, at least 6 digits: a data row.
 *
 * @example
 * ```ts
 * looksLikeNumber("06 12 34 56 78") // true
 * looksLikeNumber("Téléphone") // false
 * ```
 */
export const looksLikeNumber = (cell: string): boolean => {
  const text = cell.trim()
  if (!/^\+?[\d\s.\-/()\u00a0]+$/.test(text)) return false
  let digits = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) digits++
  }
  return digits >= 6
}

/**
 * How the caller's users choose a column, for messages: the CLI's `--column X`
 * (`(v) => \`--column ${v}\``), a query parameter's `column=X` (the default).
 */
export type ColumnOption = (value: string) => string

/** The default {@link ColumnOption}: a query parameter, `column=X`. */
export const queryColumnOption: ColumnOption = (value) => `column=${value}`

const list = (cells: ReadonlyArray<string>) => cells.map((c) => `"${c}"`).join(", ")

/**
 * Picks the phone column of a header row: `column` by name (matched like the synonyms,
 * ignoring case, accents and punctuation) or by 1-based number, else the one header that
 * names a phone (`Téléphone`, `Tél. portable`, `Mobile`, `Phone Number`, `GSM`…), else the
 * one that only says "number" (`Numéro`), else the only column. Anything else is a
 * {@link CsvError} naming the headers found (`option` says how to choose one).
 *
 * @example
 * ```ts
 * choosePhoneColumn(["Nom", "Téléphone", "Email"], "clients.csv", undefined) // 1
 * choosePhoneColumn(["Nom", "Fixe", "Portable"], "clients.csv", "portable") // 2
 * choosePhoneColumn(["Nom", "Email"], "clients.csv", undefined)
 * // throws CsvError: no phone column in clients.csv (…); headers found in clients.csv: "Nom", "Email"; …
 * ```
 */
export const choosePhoneColumn = (
  header: ReadonlyArray<string>,
  source: string,
  column: string | undefined,
  option: ColumnOption = queryColumnOption,
): number => {
  const found = `headers found in ${source}: ${list(header)}`
  const fail = (reason: CsvError["reason"], message: string): never => {
    throw new CsvError({ reason, message, source, headers: header })
  }
  if (column !== undefined) {
    if (/^\d+$/.test(column.trim())) {
      const n = Number(column)
      if (n < 1) fail("ColumnOutOfRange", `${option(column)}: columns are numbered from 1`)
      if (n > header.length)
        fail(
          "ColumnOutOfRange",
          `${option(column)}: ${source} has ${header.length} column(s); ${found}`,
        )
      return n - 1
    }
    const wanted = headerWords(column)
    const index = header.findIndex((h) => headerWords(h) === wanted)
    if (index < 0) fail("UnknownColumn", `${option(`"${column}"`)}: no such column; ${found}`)
    return index
  }
  const strong: Array<number> = []
  const weak: Array<number> = []
  header.forEach((cell, i) => {
    const score = phoneHeaderScore(cell)
    if (score === 2) strong.push(i)
    else if (score === 1) weak.push(i)
  })
  const candidates = strong.length > 0 ? strong : weak
  if (candidates.length === 1) return candidates[0] as number
  if (candidates.length > 1)
    fail(
      "SeveralPhoneColumns",
      `${source} has several phone columns: ${candidates
        .map((i) => `"${header[i]}" (column ${i + 1})`)
        .join(", ")}; choose one with ${option("NAME")} or ${option("N")}`,
    )
  if (header.length === 1) return 0
  return fail(
    "NoPhoneColumn",
    `no phone column in ${source} (a header like Téléphone, Portable, Mobile, Phone, GSM); ${found}; name it with ${option("NAME")} or ${option("N")}`,
  )
}
