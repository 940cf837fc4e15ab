import { formatParisWallClock, parisWallClockToInstants } from "../internal/schedule/parisTime.js"

/** What the caller gave: a `Date`, an ISO 8601 string, or the upstream's own form. */
export type ScheduledDateInput = Date | string

/** A schedule ready to send: the instant, and its canonical upstream rendering. */
export interface ScheduledDate {
  readonly epochMs: number
  /** Paris wall-clock `YYYY-MM-DD HH:MM:00`, what Voice Partner expects. */
  readonly upstream: string
}

export type ScheduledDateResult =
  | { readonly ok: true; readonly value: ScheduledDate }
  | { readonly ok: false; readonly reason: string }

const MINUTE = 60_000
const pattern =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/

const daysInMonth = (year: number, month: number): number =>
  new Date(Date.UTC(year, month, 0)).getUTCDate()

const readString = (
  text: string,
): { ok: true; epochMs: number } | { ok: false; reason: string } => {
  // No date-time is this long; quoting a huge input back would bloat every answer.
  if (text.length > 64) return { ok: false, reason: "is too long to be a date-time" }
  const m = pattern.exec(text.trim())
  if (m === null) {
    return {
      ok: false,
      reason: `"${text}" is not a date-time: use ISO 8601 (2026-04-10T14:15, with or without an offset) or "2026-04-10 14:15:00"`,
    }
  }
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ]
  const second = Number(m[6] ?? "0")
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: `"${text}" is not a calendar date` }
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return { ok: false, reason: `"${text}" is not a time of day` }
  }
  const zone = m[8]
  if (zone !== undefined) {
    const epochMs = Date.parse(
      `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? "00"}${zone === "Z" ? "Z" : zone.length === 3 ? `${zone}:00` : zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`}`,
    )
    if (Number.isNaN(epochMs)) return { ok: false, reason: `"${text}" has an invalid offset` }
    return { ok: true, epochMs: epochMs + fraction }
  }
  const instants = parisWallClockToInstants(year, month, day, hour, minute, second)
  switch (instants.kind) {
    case "unique":
      return { ok: true, epochMs: instants.epochMs + fraction }
    case "ambiguous":
      // The autumn hour that happens twice: the first occurrence, so never later than meant.
      return { ok: true, epochMs: instants.earlier + fraction }
    case "skipped":
      return {
        ok: false,
        reason: `"${text}" does not exist in Europe/Paris (clocks go forward from 02:00 to 03:00 that night)`,
      }
  }
}

/**
 * Reads a schedule and renders it the way Voice Partner expects: Paris wall-clock time,
 * `YYYY-MM-DD HH:MM:00`. A string without an offset is read as Paris time. Seconds are
 * rounded UP to the next whole minute (the upstream has no seconds, and a message must
 * never leave earlier than asked). The instant must be strictly after `nowMs`.
 *
 * @example
 * ```ts
 * const now = Date.UTC(2026, 0, 1)
 * parseScheduledDate("2026-07-14T10:00", now)
 * // { ok: true, value: { epochMs: Date.UTC(2026, 6, 14, 8), upstream: "2026-07-14 10:00:00" } }
 * parseScheduledDate(new Date(Date.UTC(2025, 0, 1)), now) // { ok: false, reason: "…in the past…" }
 * ```
 */
export const parseScheduledDate = (
  input: ScheduledDateInput,
  nowMs: number,
): ScheduledDateResult => {
  let epochMs: number
  if (input instanceof Date) {
    epochMs = input.getTime()
    if (Number.isNaN(epochMs)) return { ok: false, reason: "is an invalid Date" }
  } else if (typeof input === "string") {
    const read = readString(input)
    if (!read.ok) return read
    epochMs = read.epochMs
  } else {
    return { ok: false, reason: "must be a Date or a string" }
  }
  const rounded = Math.ceil(epochMs / MINUTE) * MINUTE
  if (rounded <= nowMs) {
    return {
      ok: false,
      reason: `is in the past (${formatParisWallClock(rounded)} Paris time, now is ${formatParisWallClock(nowMs)})`,
    }
  }
  return { ok: true, value: { epochMs: rounded, upstream: formatParisWallClock(rounded) } }
}
