/**
 * Country calling codes of one and two digits (ITU E.164 assignments); every other
 * assigned code has three digits, which is what lets us split an international number
 * without shipping a metadata table.
 */
const twoDigits = new Set(
  "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split(
    " ",
  ),
)

/** The two-digit codes indexed by value: one array read on the hot path. */
const twoDigitTable: ReadonlyArray<boolean> = Array.from({ length: 100 }, (_, n) =>
  twoDigits.has(String(n).padStart(2, "0")),
)

/**
 * The country calling code at the start of `digits` (international digits, without `+`).
 *
 * @example
 * ```ts
 * splitCountryCode("33612345678") // "33"
 * splitCountryCode("3524621234") // "352"
 * ```
 */
export const splitCountryCode = (digits: string): string => {
  const first = digits.charCodeAt(0) - 48
  if (first === 1 || first === 7) return digits.slice(0, 1)
  if (twoDigitTable[first * 10 + digits.charCodeAt(1) - 48] === true) return digits.slice(0, 2)
  return digits.slice(0, 3)
}
