import { CURRENCY, estimateCost, PRICES, speechSeconds } from "@voicepartner/core/plan/prices"
import type { BroadcastMessage, BroadcastType, CostEstimate } from "./broadcastTypes.js"
import { endpointOf } from "./broadcastTypes.js"

/**
 * The seconds of speech a voice SMS is billed on (core's `speechSeconds` of its text at its
 * speech rate); `null` for a voicemail drop or an audio file.
 */
const secondsOf = (type: BroadcastType, message: BroadcastMessage): number | null => {
  if (type !== "tts" || typeof message.text !== "string") return null
  const rate = Number(message.speechRate ?? 1)
  return speechSeconds(message.text, Number.isFinite(rate) && rate > 0 ? rate : 1)
}

/**
 * A broadcast's estimated cost from core's price table: a voicemail drop per message, a
 * voice SMS per started 30 s of its text (an audio file counts as one 30 s unit), for the
 * distinct valid numbers of each country. `message` is the canonical upstream body.
 *
 * @example
 * ```ts
 * costEstimate("voicemail", { tokenAudio: "dev-audio" }, { "33": 36, "32": 1 })
 * // { amount: 2.28, currency: "EUR", estimate: true, secondsPerMessage: null }
 * ```
 */
export const costEstimate = (
  type: BroadcastType,
  message: BroadcastMessage,
  byCountry: Readonly<Record<string, number>>,
): CostEstimate => {
  const seconds = secondsOf(type, message)
  return {
    amount: estimateCost(endpointOf(type), byCountry, seconds === null ? {} : { seconds }),
    currency: CURRENCY,
    estimate: true,
    secondsPerMessage: seconds,
  }
}

/**
 * Numbers per country calling code of the price table (else `default`), from counts per
 * first three digits (`"336"`: +33 6…): calling codes are prefix-free, so the code of the
 * table a number starts with is its country's.
 *
 * @example
 * ```ts
 * countriesOfPrefixes({ "336": 10, "324": 2, "144": 1 }) // { "33": 10, "32": 2, default: 1 }
 * ```
 */
export const countriesOfPrefixes = (
  byPrefix: Readonly<Record<string, number>>,
): Readonly<Record<string, number>> => {
  const codes = Object.keys(PRICES).filter((code) => /^\d+$/.test(code))
  const out: Record<string, number> = {}
  for (const [prefix, n] of Object.entries(byPrefix)) {
    const code = codes.find((c) => prefix.startsWith(c)) ?? "default"
    out[code] = (out[code] ?? 0) + n
  }
  return out
}
