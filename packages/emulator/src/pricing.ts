/** What one message costs, per country calling code and kind, in EUR. */
export interface Price {
  /** Voice SMS: per started 30 seconds of message. */
  readonly ttsPer30s: number
  /** Voicemail drop: per message. */
  readonly vmsPerMessage: number
}

/** Default prices (illustrative, not the provider's tariff): France cheapest, others dearer. */
export const defaultPrices: Readonly<Record<string, Price>> = {
  "33": { ttsPer30s: 0.09, vmsPerMessage: 0.06 },
  "32": { ttsPer30s: 0.15, vmsPerMessage: 0.12 },
  "41": { ttsPer30s: 0.15, vmsPerMessage: 0.12 },
  default: { ttsPer30s: 0.25, vmsPerMessage: 0.2 },
}

export const priceFor = (prices: Readonly<Record<string, Price>>, countryCode: string): Price =>
  prices[countryCode] ?? prices.default ?? { ttsPer30s: 0.25, vmsPerMessage: 0.2 }

/**
 * How long a text takes to read: about 2.5 words a second at rate 1, plus half a second
 * per comma (the provider's documented pause), at least one second.
 */
export const speechSeconds = (text: string, rate: number): number => {
  const words = text.split(/\s+/).filter((w) => /\w/.test(w)).length
  const commas = (text.match(/,/g) ?? []).length
  return Math.max(1, Math.ceil(words / 2.5 / rate + commas * 0.5))
}

/** Money rounded to the cent, as the provider shows it. */
export const cents = (amount: number): number => Math.round(amount * 100) / 100
