/**
 * Europe/Paris civil time, computed from the EU rule rather than from `Intl` time-zone
 * data, which some runtimes (small ICU builds, some Workers set-ups) do not ship.
 * Summer time (UTC+2) runs from the last Sunday of March, 01:00 UTC, to the last Sunday
 * of October, 01:00 UTC; the rest of the year is UTC+1.
 */
const HOUR = 3_600_000

/** 01:00 UTC on the last Sunday of `month` (0-based) of `year`. */
const lastSundayOneUtc = (year: number, month: number): number => {
  const lastDay = new Date(Date.UTC(year, month + 1, 0))
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1)
}

/**
 * The offset of Paris from UTC, in hours, at an instant.
 *
 * @example
 * ```ts
 * parisOffsetHours(Date.UTC(2026, 6, 1)) // 2
 * parisOffsetHours(Date.UTC(2026, 0, 1)) // 1
 * ```
 */
export const parisOffsetHours = (epochMs: number): 1 | 2 => {
  const year = new Date(epochMs).getUTCFullYear()
  return epochMs >= lastSundayOneUtc(year, 2) && epochMs < lastSundayOneUtc(year, 9) ? 2 : 1
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0")

/**
 * Formats an instant as Paris wall-clock `YYYY-MM-DD HH:MM:SS`.
 *
 * @example
 * ```ts
 * formatParisWallClock(Date.UTC(2026, 3, 10, 12, 15)) // "2026-04-10 14:15:00"
 * ```
 */
export const formatParisWallClock = (epochMs: number): string => {
  const d = new Date(epochMs + parisOffsetHours(epochMs) * HOUR)
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

/** The result of reading a Paris wall-clock time: instants it may denote, earliest first. */
export type WallClockInstants =
  | { readonly kind: "unique"; readonly epochMs: number }
  | { readonly kind: "ambiguous"; readonly earlier: number; readonly later: number }
  | { readonly kind: "skipped" }

/**
 * The UTC instants that a Paris wall-clock time denotes. In the autumn the hour from
 * 02:00 to 03:00 happens twice ("ambiguous"); in the spring it does not exist ("skipped").
 *
 * @example
 * ```ts
 * parisWallClockToInstants(2026, 10, 25, 2, 30) // { kind: "ambiguous", … }
 * parisWallClockToInstants(2026, 3, 29, 2, 30) // { kind: "skipped" }
 * ```
 */
export const parisWallClockToInstants = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second = 0,
): WallClockInstants => {
  const naive = Date.UTC(year, month - 1, day, hour, minute, second)
  const summer = naive - 2 * HOUR
  const winter = naive - HOUR
  const summerValid = parisOffsetHours(summer) === 2
  const winterValid = parisOffsetHours(winter) === 1
  if (summerValid && winterValid) return { kind: "ambiguous", earlier: summer, later: winter }
  if (summerValid) return { kind: "unique", epochMs: summer }
  if (winterValid) return { kind: "unique", epochMs: winter }
  return { kind: "skipped" }
}
