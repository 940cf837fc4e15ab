import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { ValidationError } from "../errors/ValidationError.js"
import type { ScheduledDateInput } from "../schedule/scheduledDate.js"
import {
  IssueCollector,
  numberFrom,
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
  /**
   * The text read to the recipient. Give `text` or `tokenAudio`; with both, as Voice
   * Partner does, the audio file is played and the text dropped (with a warning).
   */
  readonly text?: string | undefined
  /** An approved audio file's token, played instead of a text. */
  readonly tokenAudio?: string | undefined
  /** Two-letter language of the text; defaults to `fr`. */
  readonly lang?: string | undefined
  /**
   * Reading speed, 0.5 to 2 (default 1); clamped with a warning outside that range. A
   * numeric string (`"1"`, as some of the provider's samples send) is read as its number,
   * with a warning.
   */
  readonly speechRate?: number | string | undefined
  /** The provider's samples' name for `speechRate`: read as it (with a warning) when it is absent. */
  readonly speed?: number | string | undefined
  /** Where delivery statuses are POSTed (absolute http(s) URL). */
  readonly notifyUrl?: string | undefined
  /** When to send: a Date, ISO 8601, or `YYYY-MM-DD HH:MM`; without offset, Paris time. */
  readonly scheduledDate?: ScheduledDateInput | undefined
  readonly onInvalidRecipients?: OnInvalidRecipients | undefined
}

const TtsSendRequestBase: Schema.Class<
  TtsSendRequest,
  Schema.Struct<{
    readonly phoneNumbers: Schema.$Array<Schema.String>
    readonly text: Schema.optional<Schema.String>
    readonly tokenAudio: Schema.optional<Schema.String>
    readonly lang: Schema.String
    readonly speechRate: Schema.optional<Schema.Number>
    readonly notifyUrl: Schema.optional<Schema.String>
    readonly scheduledDate: Schema.optional<Schema.String>
  }>,
  // biome-ignore lint/complexity/noBannedTypes: the empty brand Schema.Class gives by default
  {}
> = Schema.Class<TtsSendRequest>("TtsSendRequest")({
  phoneNumbers: Schema.Array(Schema.String),
  text: Schema.optional(Schema.String),
  tokenAudio: Schema.optional(Schema.String),
  lang: Schema.String,
  speechRate: Schema.optional(Schema.Number),
  notifyUrl: Schema.optional(Schema.String),
  scheduledDate: Schema.optional(Schema.String),
})

/** A validated voice SMS, in canonical form (E.164 recipients, Paris-time schedule). */
export class TtsSendRequest extends TtsSendRequestBase {}

/** The upstream JSON body of `POST /tts/send`, without `apiKey`. */
export const TtsSendBody: Schema.Struct<{
  readonly phoneNumbers: Schema.String
  readonly text: Schema.optional<Schema.String>
  readonly tokenAudio: Schema.optional<Schema.String>
  readonly lang: Schema.String
  readonly speechRate: Schema.optional<Schema.Number>
  readonly notifyUrl: Schema.optional<Schema.String>
  readonly scheduledDate: Schema.optional<Schema.String>
}> = Schema.Struct({
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
 * `speechRate` as the provider's samples give it: a number, a numeric string (`"1"`), or
 * under the name `speed`; clamped to 0.5-2. Every reading that changed something is a
 * warning; what is not a number is an issue.
 */
const readSpeechRate = (
  raw: { readonly speechRate?: unknown; readonly speed?: unknown },
  check: IssueCollector,
  warn: (field: string, message: string) => void,
  audio: boolean,
): number | undefined => {
  let field = "speechRate"
  let given = raw.speechRate
  if (raw.speed != null) {
    if (given == null) {
      field = "speed"
      given = raw.speed
      warn("speed", "was read as speechRate, the name Voice Partner documents")
    } else warn("speed", "was ignored: speechRate is given")
  }
  if (given == null) return undefined
  const read = numberFrom(given)
  if (read === undefined) return check.add(field, "must be a number between 0.5 and 2")
  if (read.fromString)
    warn(field, `${JSON.stringify(given)} (a string) was read as the number ${read.value}`)
  const speechRate = Math.min(MAX_RATE, Math.max(MIN_RATE, read.value))
  if (speechRate !== read.value)
    warn("speechRate", `${read.value} is outside 0.5-2 and was clamped to ${speechRate}`)
  if (audio) warn("speechRate", "has no effect on an audio file")
  return speechRate
}

/**
 * Validates and normalises a voice SMS before any IO: every problem is reported at once.
 *
 * @example
 * ```ts
 * import * as Result from "effect/Result"
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
  const warn = (field: string, message: string) =>
    warnings.push(new ValidationWarning({ field, message }))
  // null is absent (JSON callers send it); a given but unusable value has its own issue.
  const tokenAudio = check.optionalString("tokenAudio", raw.tokenAudio)
  let text: string | undefined
  if (raw.tokenAudio != null && raw.text != null) {
    // As Voice Partner does: the audio file is played and the text ignored.
    warn("text", "was ignored: tokenAudio is given, and Voice Partner plays the audio file")
  } else {
    text = check.optionalSpokenText("text", raw.text)
    if (raw.text == null && raw.tokenAudio == null)
      check.add("text", "is required when no tokenAudio is given")
  }
  const lang = check.optionalString("lang", raw.lang)?.toLowerCase() ?? "fr"
  if (!/^[a-z]{2}$/.test(lang))
    check.add("lang", `${quote(lang)} is not a two-letter language code such as fr or en`)
  const speechRate = readSpeechRate(raw, check, warn, tokenAudio !== undefined)
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
 * const request = new TtsSendRequest({ phoneNumbers: ["+33612345678"], text: "Bonjour", lang: "fr" })
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
