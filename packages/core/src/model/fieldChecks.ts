import { ValidationIssue } from "../errors/ValidationError.js"
import { normalizeRecipients, type RecipientList } from "../phone/normalizeRecipients.js"
import { parsePhoneNumber } from "../phone/parsePhoneNumber.js"
import { parseScheduledDate, type ScheduledDateInput } from "../schedule/scheduledDate.js"

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
    if (trimmed.length === 0) {
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
      return this.add(field, `"${text}" is not a valid e-mail address`)
    }
    return text
  }

  /** A sender must be a number recipients can call back: normalised like recipients. */
  optionalPhone(field: string, value: unknown): string | undefined {
    const text = this.optionalString(field, value)
    if (text === undefined) return undefined
    const parsed = parsePhoneNumber(text)
    if (!parsed.ok) return this.add(field, `"${text}" ${parsed.reason}`)
    return parsed.value.e164
  }

  optionalSchedule(field: string, value: unknown, nowMs: number): string | undefined {
    if (value === undefined || value === null) return undefined
    if (!(value instanceof Date) && typeof value !== "string") {
      return this.add(field, `must be a Date or a string, got ${typeOf(value)}`)
    }
    const parsed = parseScheduledDate(value as ScheduledDateInput, nowMs)
    if (!parsed.ok) return this.add(field, parsed.reason)
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
        this.add(field, `"${bad.input}" ${bad.reason}`, { index: bad.index, input: bad.input })
      }
    }
    if (list.numbers.length === 0 && (onInvalid === "skip" || list.invalid.length === 0)) {
      this.add(field, "has no valid phone number")
    }
    return list
  }
}

/** What to do with unreadable recipients: refuse the request (default) or leave them out. */
export type OnInvalidRecipients = "fail" | "skip"

const typeOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value
