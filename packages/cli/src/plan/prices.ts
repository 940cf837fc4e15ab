import type { Endpoint } from "@voicepartner/core/model/Endpoint"

/** What one message costs in a country, in EUR. */
export interface Price {
  /** Voice SMS: per started 30 seconds of message. */
  readonly ttsPer30s: number
  /** Voicemail drop: per message. */
  readonly vmsPerMessage: number
}

/**
 * The price table of the dry-run estimate, by country calling code, in EUR. It mirrors the
 * emulator's table (`packages/emulator/src/pricing.ts`, a test keeps them equal): Voice
 * Partner publishes no API price list, so these are ESTIMATES; the provider's answer to a
 * send (`cost`) is what is charged. Documented in the README.
 */
export const PRICES: Readonly<Record<string, Price>> = {
  "33": { ttsPer30s: 0.09, vmsPerMessage: 0.06 },
  "32": { ttsPer30s: 0.15, vmsPerMessage: 0.12 },
  "41": { ttsPer30s: 0.15, vmsPerMessage: 0.12 },
  default: { ttsPer30s: 0.25, vmsPerMessage: 0.2 },
}

export const CURRENCY = "EUR"

/**
 * How long a text takes to read, as the emulator reckons it: about 2.5 words a second at
 * rate 1, plus half a second per comma (the provider's documented pause), at least 1 s.
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
 * The estimated cost of sending to `numbersByCountry` (count per calling code): voicemail
 * drop per message; voice SMS per started 30 s (an audio file of unknown length counts
 * as one 30 s unit).
 */
export const estimateCost = (
  endpoint: Endpoint,
  numbersByCountry: ReadonlyMap<string, number>,
  basis: MessageBasis,
): number => {
  const units = Math.max(1, Math.ceil((basis.seconds ?? 30) / 30))
  let total = 0
  for (const [country, count] of numbersByCountry) {
    const price = PRICES[country] ?? (PRICES.default as Price)
    const unit = endpoint === "campaign/send" ? price.vmsPerMessage : price.ttsPer30s * units
    total += cents(unit * count)
  }
  return cents(total)
}
