/** What one message costs in a country, in {@link CURRENCY}. */
export interface Price {
  /** Voice SMS: per started 30 seconds of message. */
  readonly ttsPer30s: number
  /** Voicemail drop: per message. */
  readonly vmsPerMessage: number
}

/** Prices by country calling code (`"33"`), with a `default` for every other country. */
export type PriceTable = Readonly<Record<string, Price>>

/**
 * The price table of cost estimates, by country calling code, in EUR. Voice Partner
 * publishes no price list in its API, so these are ESTIMATES (the emulator charges the same
 * table, and a test keeps the two equal): the provider's answer to a send (`cost`) is what
 * is charged. Give your own table to `planBulk` (`prices`) when you know your tariff.
 *
 * @example
 * ```ts
 * PRICES["33"] // { ttsPer30s: 0.09, vmsPerMessage: 0.06 }
 * ```
 */
export const PRICES: PriceTable = {
  "33": { ttsPer30s: 0.09, vmsPerMessage: 0.06 },
  "32": { ttsPer30s: 0.15, vmsPerMessage: 0.12 },
  "41": { ttsPer30s: 0.15, vmsPerMessage: 0.12 },
  default: { ttsPer30s: 0.25, vmsPerMessage: 0.2 },
}

/** The currency of {@link PRICES}. */
export const CURRENCY = "EUR"

/**
 * How long a text takes to read, as the emulator reckons it: about 2.5 words a second at
 * rate 1, plus half a second per comma (the provider's documented pause), at least 1 s.
 *
 * @example
 * ```ts
 * speechSeconds("Bonjour ,, à demain") // 2
 * ```
 */
export const speechSeconds = (text: string, rate = 1): number => {
  const words = text.split(/\s+/).filter((w) => /\w/.test(w)).length
  const commas = (text.match(/,/g) ?? []).length
  return Math.max(1, Math.ceil(words / 2.5 / rate + commas * 0.5))
}

/** What is billed per message, for the estimate. */
export interface MessageBasis {
  /** Seconds of message for a voice SMS; `undefined` for an audio file (length unknown offline). */
  readonly seconds?: number | undefined
}

const cents = (amount: number): number => Math.round(amount * 100) / 100

/**
 * The estimated cost, in the table's currency, of sending to `numbersByCountry` (unique
 * numbers per calling code): a voicemail drop per message; a voice SMS per started 30 s
 * (an audio file of unknown length counts as one 30 s unit). Rounded to the cent per
 * country, as the provider details it.
 *
 * @example
 * ```ts
 * estimateCost("campaign/send", { "33": 36, "32": 1 }, {}) // 2.28
 * ```
 */
export const estimateCost = (
  endpoint: "tts/send" | "campaign/send",
  numbersByCountry: Readonly<Record<string, number>>,
  basis: MessageBasis,
  prices: PriceTable = PRICES,
): number => {
  const units = Math.max(1, Math.ceil((basis.seconds ?? 30) / 30))
  const fallback = prices.default ?? (PRICES.default as Price)
  let total = 0
  for (const [country, count] of Object.entries(numbersByCountry)) {
    const price = prices[country] ?? fallback
    const unit = endpoint === "campaign/send" ? price.vmsPerMessage : price.ttsPer30s * units
    total += cents(unit * count)
  }
  return cents(total)
}
