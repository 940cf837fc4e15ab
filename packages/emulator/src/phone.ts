/**
 * The emulator's own reading of phone numbers, deliberately independent of
 * `@voicepartner/core`: a stand-in for the provider must not share our client's
 * interpretation, or tests against it could not catch the client's mistakes. It accepts
 * what the provider documents: French national numbers and international numbers.
 */
const knownCodes = [
  "1",
  "7",
  "27",
  "30",
  "31",
  "32",
  "33",
  "34",
  "36",
  "39",
  "40",
  "41",
  "43",
  "44",
  "45",
  "46",
  "47",
  "48",
  "49",
  "351",
  "352",
  "353",
  "377",
  "262",
  "590",
  "594",
  "596",
  "212",
  "213",
  "216",
]

export interface Destination {
  /** International digits, without `+`. */
  readonly international: string
  readonly countryCode: string
}

/** Returns the destination, or undefined when the provider would refuse the number. */
export const readDestination = (raw: string): Destination | undefined => {
  const compact = raw.replace(/[\s.\-()/]/g, "")
  let digits: string
  if (/^\+\d+$/.test(compact)) digits = compact.slice(1)
  else if (/^00\d+$/.test(compact)) digits = compact.slice(2)
  else if (/^0[1-9]\d{8}$/.test(compact)) digits = `33${compact.slice(1)}`
  else if (/^33[1-9]\d{8}$/.test(compact)) digits = compact
  else return undefined
  if (digits.startsWith("330") && digits.length === 12) digits = `33${digits.slice(3)}`
  if (digits.length < 8 || digits.length > 15) return undefined
  const countryCode = knownCodes.find((c) => digits.startsWith(c)) ?? digits.slice(0, 2)
  if (countryCode === "33" && digits.length !== 11) return undefined
  return { international: digits, countryCode }
}

/** The provider writes numbers in callbacks as `0033612345678`. */
export const callbackForm = (d: Destination): string => `00${d.international}`
