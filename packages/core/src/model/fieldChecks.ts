import { ValidationIssue } from "../errors/ValidationError.js"
import { normalizeRecipients, type RecipientList } from "../phone/normalizeRecipients.js"
import { parsePhoneNumber } from "../phone/parsePhoneNumber.js"
import { parseScheduledDate, type ScheduledDateInput } from "../schedule/scheduledDate.js"
import { MAX_NUMBERS_PER_REQUEST } from "./limits.js"
import { ValidationWarning } from "./Validated.js"

// Characters that render as nothing: zero-width spaces and joiners, word joiner, BOM,
// soft hyphen, Mongolian vowel separator. `trim()` keeps them, and a field made only of
// them is as empty as "".
const invisible = /[\s\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]/gu
const strip = (text: string) => text.replace(invisible, "")

/** Longest piece of an input quoted back in a message: answers stay small. */
const QUOTE_MAX = 40

/** An input as quoted in a message: shortened past {@link QUOTE_MAX} characters. */
export const quote = (text: string): string =>
  JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text)

/**
 * Collects the issues of one request so that every problem is reported at once, each
 * naming its field. Shared by all request validators.
 */
export class IssueCollector {
  readonly issues: Array<ValidationIssue> = []

  /** Records an issue; returns `undefined` so checks can `return this.add(…)`. */
  add(field: string, message: string, extra?: { index: number; input: string }): undefined {
    this.issues.push(new ValidationIssue({ field, message, ...extra }))
    return undefined
  }

  /** A non-empty string, trimmed. */
  requiredString(field: string, value: unknown): string | undefined {
    if (value === undefined || value === null) return this.add(field, "is required")
    return this.optionalString(field, value, true)
  }

  optionalString(field: string, value: unknown, required = false): string | undefined {
    if (value === undefined || value === null) return undefined
    if (typeof value !== "string") return this.add(field, `must be a string, got ${typeOf(value)}`)
    const trimmed = value.trim()
    if (strip(trimmed).length === 0) {
      this.add(field, required ? "is required and must not be empty" : "must not be empty")
      return undefined
    }
    return trimmed
  }

  /** An absolute http(s) URL: the provider calls it back from the internet. */
  optionalUrl(field: string, value: unknown): string | undefined {
    const text = this.optionalString(field, value)
    if (text === undefined) return undefined
    let url: URL
    try {
      url = new URL(text)
    } catch {
      return this.add(field, "must be an absolute http(s) URL")
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return this.add(field, `must use http or https, not ${url.protocol.slice(0, -1)}`)
    }
    return url.toString()
  }

  email(field: string, value: unknown): string | undefined {
    const text = this.requiredString(field, value)
    if (text === undefined) return undefined
    if (!/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(text)) {
      return this.add(field, `${quote(text)} is not a valid e-mail address`)
    }
    return text
  }

  /** A sender must be a number recipients can call back: normalised like recipients. */
  optionalPhone(field: string, value: unknown): string | undefined {
    const text = this.optionalString(field, value)
    if (text === undefined) return undefined
    const parsed = parsePhoneNumber(text)
    if (!parsed.ok) return this.add(field, `${quote(text)} ${parsed.reason}`)
    return parsed.value.e164
  }

  /** Text read aloud: it must hold something to read (a letter or a digit). */
  optionalSpokenText(field: string, value: unknown): string | undefined {
    const text = this.optionalString(field, value)
    if (text === undefined) return undefined
    if (!/[\p{L}\p{N}]/u.test(text))
      return this.add(field, "has nothing to read: it needs at least one letter or digit")
    return text
  }

  optionalSchedule(
    field: string,
    value: unknown,
    nowMs: number,
    latestMs?: number,
  ): string | undefined {
    if (value === undefined || value === null) return undefined
    if (!(value instanceof Date) && typeof value !== "string") {
      return this.add(field, `must be a Date or a string, got ${typeOf(value)}`)
    }
    const parsed = parseScheduledDate(value as ScheduledDateInput, nowMs)
    if (!parsed.ok) return this.add(field, parsed.reason)
    if (latestMs !== undefined && parsed.value.epochMs > latestMs) {
      const days = Math.floor((latestMs - nowMs) / 86_400_000)
      return this.add(field, `must be at most ${days} days ahead`)
    }
    return parsed.value.upstream
  }

  /**
   * Recipients: invalid entries are issues (one each, with index and input) unless the
   * caller asked to skip them; skipped and duplicate entries stay visible in the list.
   */
  recipients(
    field: string,
    value: unknown,
    onInvalid: OnInvalidRecipients,
    max: number = MAX_NUMBERS_PER_REQUEST,
  ): RecipientList | undefined {
    let entries: Iterable<string> | string
    if (typeof value === "string") entries = value
    else if (Array.isArray(value) && value.every((v) => typeof v === "string")) entries = value
    else if (value === undefined || value === null) return this.add(field, "is required")
    else
      return this.add(field, "must be a string of comma-separated numbers or an array of strings")
    const list = normalizeRecipients(entries)
    if (onInvalid === "fail") {
      for (const bad of list.invalid) {
        this.add(field, `${quote(bad.input)} ${bad.reason}`, {
          index: bad.index,
          input: bad.input.length > QUOTE_MAX ? `${bad.input.slice(0, QUOTE_MAX)}…` : bad.input,
        })
      }
    }
    if (list.numbers.length > max) {
      this.add(field, `${tooMany(list.numbers.length, max)} (split the list: sendBulk does)`)
    }
    if (list.numbers.length === 0 && (onInvalid === "skip" || list.invalid.length === 0)) {
      this.add(field, "has no valid phone number")
    }
    return list
  }
}

/** The start of the issue of a list over the limit, as {@link upstreamErrorCode} reads it. */
const tooMany = (count: number, max: number) =>
  `has ${count} numbers; a request takes at most ${max}`
const TOO_MANY = /^has \d+ numbers; a request takes at most \d+/

/**
 * The code Voice Partner answers when a field has this problem, for the fields whose code
 * it documents (`TOKEN_AUDIO_REQUIRED`, `NOTIFY_URL_INVALID`, `SENDER_INVALID`) and, for
 * the others it checks, the code the emulator gives (it documents none).
 */
const FIELD_CODES: Readonly<Record<string, string>> = {
  tokenAudio: "TOKEN_AUDIO_REQUIRED",
  notifyUrl: "NOTIFY_URL_INVALID",
  sender: "SENDER_INVALID",
  emailForNotification: "EMAIL_INVALID",
  text: "TEXT_REQUIRED",
  scheduledDate: "SCHEDULED_DATE_INVALID",
  filename: "FILENAME_INVALID",
}

/** An issue as validation reports it, or as an answer lists it (`field`, `message`, `index`). */
export interface IssueLike {
  readonly field: string
  readonly message: string
  readonly index?: number | undefined
}

const phoneNumbersCode = (issue: IssueLike): string =>
  issue.index !== undefined
    ? "DESTINATION_INVALID"
    : TOO_MANY.test(issue.message)
      ? "PHONE_NUMBER_SIZE_ERROR"
      : "PHONE_NUMBER_REQUIRED"

/**
 * The error code Voice Partner answers for the same request, read from core's issues:
 * recipients first as the provider checks them (`PHONE_NUMBER_REQUIRED`, then
 * `PHONE_NUMBER_SIZE_ERROR` over 500 numbers, then `DESTINATION_INVALID` for a number it
 * cannot read), then the first other issue whose field has a code. `undefined` when none
 * does (e.g. `lang`, which the provider does not check): keep a generic code.
 *
 * @example
 * ```ts
 * upstreamErrorCode([{ field: "phoneNumbers", message: '"12" is too short', index: 0 }])
 * // "DESTINATION_INVALID"
 * ```
 */
export const upstreamErrorCode = (issues: ReadonlyArray<IssueLike>): string | undefined => {
  const phone = issues.filter((i) => i.field === "phoneNumbers").map(phoneNumbersCode)
  for (const code of ["PHONE_NUMBER_REQUIRED", "PHONE_NUMBER_SIZE_ERROR", "DESTINATION_INVALID"])
    if (phone.includes(code)) return code
  for (const issue of issues) {
    const code = FIELD_CODES[issue.field]
    if (code !== undefined) return code
  }
  return undefined
}

/**
 * A number as untyped callers write one: a number, or a string holding one in decimal
 * (`"1"`, `" 1.5 "`, as some of Voice Partner's samples send). `undefined` otherwise.
 *
 * @example
 * ```ts
 * numberFrom("1") // { value: 1, fromString: true }
 * ```
 */
export const numberFrom = (
  value: unknown,
): { readonly value: number; readonly fromString: boolean } | undefined => {
  if (typeof value === "number")
    return Number.isFinite(value) ? { value, fromString: false } : undefined
  if (typeof value !== "string" || !/^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(value)) return undefined
  return { value: Number(value), fromString: true }
}

/** Warnings listed one by one before they are summed up: an answer stays small. */
const LISTED_WARNINGS = 20

/**
 * What the caller should know about a recipient list that was accepted: numbers read on a
 * guess (a spreadsheet ate the leading 0), duplicates removed, and — for a voicemail drop —
 * the landlines that will ring.
 *
 * @example
 * ```ts
 * import { normalizeRecipients } from "../phone/normalizeRecipients.js"
 * recipientWarnings(normalizeRecipients(["612345678", "0612345678"]), { landlinesRing: false })
 * // [ { field: "phoneNumbers", message: "\"612345678\" has no leading 0 …" }, { …"1 duplicate removed" } ]
 * ```
 */
export const recipientWarnings = (
  list: RecipientList,
  options: { readonly landlinesRing: boolean },
): ReadonlyArray<ValidationWarning> => {
  const warnings = list.warnings.slice(0, LISTED_WARNINGS).map(
    (w) =>
      new ValidationWarning({
        field: "phoneNumbers",
        message: `${quote(w.input)} ${w.message}`,
      }),
  )
  const more = list.warnings.length - LISTED_WARNINGS
  if (more > 0)
    warnings.push(
      new ValidationWarning({ field: "phoneNumbers", message: `and ${more} more numbers read so` }),
    )
  const duplicates = list.duplicates.length
  if (duplicates > 0)
    warnings.push(
      new ValidationWarning({
        field: "phoneNumbers",
        message: `${duplicates} duplicate${duplicates === 1 ? "" : "s"} removed`,
      }),
    )
  const landlines = list.counts.landline
  if (options.landlinesRing && landlines > 0)
    warnings.push(
      new ValidationWarning({
        field: "phoneNumbers",
        message: `${landlines} landline${landlines === 1 ? "" : "s"} will ring: a voicemail drop rings landlines and leaves the message if nobody answers`,
      }),
    )
  return warnings
}

/** What to do with unreadable recipients: refuse the request (default) or leave them out. */
export type OnInvalidRecipients = "fail" | "skip"

const typeOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value
