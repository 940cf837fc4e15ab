import type { Endpoint } from "../model/Endpoint.js"

/** At most `limit` admissions in any rolling window of `windowMs`. */
export interface RateLimitWindow {
  readonly limit: number
  readonly windowMs: number
}

/** The windows that apply to each endpoint; all of them must admit a request. */
export type RateLimitPolicy = Readonly<Record<Endpoint, ReadonlyArray<RateLimitWindow>>>

const MINUTE = 60_000
const HOUR = 3_600_000

/**
 * Limits from Voice Partner's documentation. `campaign/cancel` has none documented: it
 * gets 5/min like the other account operations, so a script cannot hammer it.
 *
 * @example
 * ```ts
 * defaultPolicy["campaign/send"] // [{ limit: 5, windowMs: 60_000 }, { limit: 2000, windowMs: 3_600_000 }]
 * ```
 */
export const defaultPolicy: RateLimitPolicy = {
  "campaign/send": [
    { limit: 5, windowMs: MINUTE },
    { limit: 2000, windowMs: HOUR },
  ],
  "tts/send": [{ limit: 2000, windowMs: HOUR }],
  me: [{ limit: 5, windowMs: MINUTE }],
  "audio-file/rename": [{ limit: 5, windowMs: MINUTE }],
  audios: [{ limit: 360, windowMs: MINUTE }],
  "campaign/cancel": [{ limit: 5, windowMs: MINUTE }],
}

/** The longest window of a policy entry: older admissions no longer matter. */
export const horizonMs = (windows: ReadonlyArray<RateLimitWindow>): number =>
  windows.reduce((max, w) => Math.max(max, w.windowMs), 0)
