import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { ValidationError } from "../errors/ValidationError.js"
import type { ScheduledDateInput } from "../schedule/scheduledDate.js"
import {
  IssueCollector,
  type OnInvalidRecipients,
  quote,
  recipientWarnings,
} from "./fieldChecks.js"
import { type Validated, type ValidateOptions, ValidationWarning } from "./Validated.js"

/**
 * What a caller gives to send a text-to-speech voice SMS (`POST /tts/send`).
 *
 * @example
 * ```ts
 * const input: TtsSendInput = {
 *   phoneNumbers: ["06 12 34 56 78", "+32 470 12 34 56"],
 *   text: "Bonjour ,, votre colis arrive demain.",
 *   scheduledDate: "2026-12-01T09:30",
 * }
 * ```
 */
export interface TtsSendInput {
  /** Numbers as an array, or one string separated by commas, semicolons or newlines. */
  readonly phoneNumbers: ReadonlyArray<string> | string
  /** The text read to the recipient. Give `text` or `tokenAudio`, not both. */
  readonly text?: string | undefined
  /** An approved audio file's token, played instead of a text. */
  readonly tokenAudio?: string | undefined
  /** Two-letter language of the text; defaults to `fr`. */
  readonly lang?: string | undefined
  /** Reading speed, 0.5 to 2 (default 1); clamped with a warning outside that range. */
  readonly speechRate?: number | undefined
  /** Where delivery statuses are POSTed (absolute http(s) URL). */
  readonly notifyUrl?: string | undefined
  /** When to send: a Date, ISO 8601, or `YYYY-MM-DD HH:MM`; without offset, Paris time. */
  readonly scheduledDate?: ScheduledDateInput | undefined
  readonly onInvalidRecipients?: OnInvalidRecipients | undefined
}

/** A validated voice SMS, in canonical form (E.164 recipients, Paris-time schedule). */
export class TtsSendRequest extends Schema.Class<TtsSendRequest>("TtsSendRequest")({
  phoneNumbers: Schema.Array(Schema.String),
  text: Schema.optional(Schema.String),
  tokenAudio: Schema.optional(Schema.String),
  lang: Schema.String,
  speechRate: Schema.optional(Schema.Number),
  notifyUrl: Schema.optional(Schema.String),
  scheduledDate: Schema.optional(Schema.String),
}) {}

/** The upstream JSON body of `POST /tts/send`, without `apiKey`. */
export const TtsSendBody = Schema.Struct({
  phoneNumbers: Schema.String,
  text: Schema.optional(Schema.String),
  tokenAudio: Schema.optional(Schema.String),
  lang: Schema.String,
  speechRate: Schema.optional(Schema.Number),
  notifyUrl: Schema.optional(Schema.String),
  scheduledDate: Schema.optional(Schema.String),
})
export type TtsSendBody = typeof TtsSendBody.Type

const MIN_RATE = 0.5
const MAX_RATE = 2

/**
 * Validates and normalises a voice SMS before any IO: every problem is reported at once.
 *
 * @example
 * ```ts
 * const result = validateTtsSend({ phoneNumbers: "0612345678", text: "Bonjour" }, { now: Date.now() })
 * if (Result.isSuccess(result)) result.success.request.phoneNumbers // ["+33612345678"]
 * ```
 */
export const validateTtsSend = (
  input: TtsSendInput,
  options: ValidateOptions,
): Result.Result<Validated<TtsSendRequest>, ValidationError> => {
  const check = new IssueCollector()
  const warnings: Array<ValidationWarning> = []
  const raw = input as Partial<Record<keyof TtsSendInput, unknown>>
  const recipients = check.recipients(
    "phoneNumbers",
    raw.phoneNumbers,
    input.onInvalidRecipients ?? "fail",
    options.maxRecipients,
  )
  const text = check.optionalSpokenText("text", raw.text)
  const tokenAudio = check.optionalString("tokenAudio", raw.tokenAudio)
  if (text !== undefined && tokenAudio !== undefined) {
    check.add(
      "tokenAudio",
      "give either text or tokenAudio, not both (Voice Partner would ignore the text)",
    )
  } else if (raw.text == null && raw.tokenAudio == null) {
    // null is absent (JSON callers send it); a given but unusable value has its own issue.
    check.add("text", "is required when no tokenAudio is given")
  }
  const lang = check.optionalString("lang", raw.lang)?.toLowerCase() ?? "fr"
  if (!/^[a-z]{2}$/.test(lang))
    check.add("lang", `${quote(lang)} is not a two-letter language code such as fr or en`)
  let speechRate: number | undefined
  if (raw.speechRate !== undefined) {
    if (typeof raw.speechRate !== "number" || !Number.isFinite(raw.speechRate)) {
      check.add("speechRate", "must be a number between 0.5 and 2")
    } else {
      speechRate = Math.min(MAX_RATE, Math.max(MIN_RATE, raw.speechRate))
      if (speechRate !== raw.speechRate) {
        warnings.push(
          new ValidationWarning({
            field: "speechRate",
            message: `${raw.speechRate} is outside 0.5-2 and was clamped to ${speechRate}`,
          }),
        )
      }
      if (tokenAudio !== undefined) {
        warnings.push(
          new ValidationWarning({ field: "speechRate", message: "has no effect on an audio file" }),
        )
      }
    }
  }
  const notifyUrl = check.optionalUrl("notifyUrl", raw.notifyUrl)
  const scheduledDate = check.optionalSchedule(
    "scheduledDate",
    raw.scheduledDate,
    options.now,
    options.latestSchedule,
  )
  if (check.issues.length > 0 || recipients === undefined) {
    return Result.fail(ValidationError.fromIssues(check.issues))
  }
  const request = new TtsSendRequest(
    {
      phoneNumbers: recipients.numbers.map((n) => n.e164),
      ...(text !== undefined && { text }),
      ...(tokenAudio !== undefined && { tokenAudio }),
      lang,
      ...(speechRate !== undefined && { speechRate }),
      ...(notifyUrl !== undefined && { notifyUrl }),
      ...(scheduledDate !== undefined && { scheduledDate }),
    },
    { disableChecks: true },
  )
  return Result.succeed({
    request,
    recipients,
    warnings: [...recipientWarnings(recipients, { landlinesRing: false }), ...warnings],
  })
}

/**
 * The canonical upstream body (without `apiKey`): recipients comma-joined, optionals omitted.
 *
 * @example
 * ```ts
 * encodeTtsSend(request) // { phoneNumbers: "+33612345678", text: "Bonjour", lang: "fr" }
 * ```
 */
export const encodeTtsSend = (request: TtsSendRequest): TtsSendBody => ({
  phoneNumbers: request.phoneNumbers.join(","),
  ...(request.text !== undefined && { text: request.text }),
  ...(request.tokenAudio !== undefined && { tokenAudio: request.tokenAudio }),
  lang: request.lang,
  ...(request.speechRate !== undefined && { speechRate: request.speechRate }),
  ...(request.notifyUrl !== undefined && { notifyUrl: request.notifyUrl }),
  ...(request.scheduledDate !== undefined && { scheduledDate: request.scheduledDate }),
})
