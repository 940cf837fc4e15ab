import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { ValidationError } from "../errors/ValidationError.js"
import type { ScheduledDateInput } from "../schedule/scheduledDate.js"
import { IssueCollector, type OnInvalidRecipients, recipientWarnings } from "./fieldChecks.js"
import type { Validated, ValidateOptions } from "./Validated.js"

/**
 * What a caller gives for a voicemail drop (`POST /campaign/send`). On a mobile the
 * message goes straight to voicemail; a landline RINGS and gets the message only if
 * nobody answers: check `recipients.counts.landline` of the validated result.
 *
 * @example
 * ```ts
 * const input: CampaignSendInput = {
 *   phoneNumbers: ["0612345678"],
 *   tokenAudio: "dev-audio",
 *   emailForNotification: "ops@example.com",
 * }
 * ```
 */
export interface CampaignSendInput {
  readonly phoneNumbers: ReadonlyArray<string> | string
  readonly tokenAudio: string
  /** Where Voice Partner e-mails the end-of-campaign report. */
  readonly emailForNotification: string
  /** A mobile number recipients can call back, validated beforehand in the web app. */
  readonly sender?: string | undefined
  readonly scheduledDate?: ScheduledDateInput | undefined
  /** Called back with a GET when the campaign is done. */
  readonly notifyUrl?: string | undefined
  readonly onInvalidRecipients?: OnInvalidRecipients | undefined
}

const CampaignSendRequestBase: Schema.Class<
  CampaignSendRequest,
  Schema.Struct<{
    readonly phoneNumbers: Schema.$Array<Schema.String>
    readonly tokenAudio: Schema.String
    readonly emailForNotification: Schema.String
    readonly sender: Schema.optional<Schema.String>
    readonly scheduledDate: Schema.optional<Schema.String>
    readonly notifyUrl: Schema.optional<Schema.String>
  }>,
  // biome-ignore lint/complexity/noBannedTypes: the empty brand Schema.Class gives by default
  {}
> = Schema.Class<CampaignSendRequest>("CampaignSendRequest")({
  phoneNumbers: Schema.Array(Schema.String),
  tokenAudio: Schema.String,
  emailForNotification: Schema.String,
  sender: Schema.optional(Schema.String),
  scheduledDate: Schema.optional(Schema.String),
  notifyUrl: Schema.optional(Schema.String),
})

/** A validated voicemail drop, in canonical form. */
export class CampaignSendRequest extends CampaignSendRequestBase {}

/** The upstream JSON body of `POST /campaign/send`, without `apiKey`. */
export const CampaignSendBody: Schema.Struct<{
  readonly phoneNumbers: Schema.String
  readonly tokenAudio: Schema.String
  readonly emailForNotification: Schema.String
  readonly sender: Schema.optional<Schema.String>
  readonly scheduledDate: Schema.optional<Schema.String>
  readonly notifyUrl: Schema.optional<Schema.String>
}> = Schema.Struct({
  phoneNumbers: Schema.String,
  tokenAudio: Schema.String,
  emailForNotification: Schema.String,
  sender: Schema.optional(Schema.String),
  scheduledDate: Schema.optional(Schema.String),
  notifyUrl: Schema.optional(Schema.String),
})
export type CampaignSendBody = typeof CampaignSendBody.Type

/**
 * Validates and normalises a voicemail drop before any IO.
 *
 * @example
 * ```ts
 * import * as Result from "effect/Result"
 * const input = { phoneNumbers: "06 12 34 56 78, 01 44 55 66 77", tokenAudio: "dev-audio", emailForNotification: "ops@example.com" }
 * const r = validateCampaignSend(input, { now: Date.now() })
 * if (Result.isSuccess(r) && (r.success.recipients?.counts.landline ?? 0) > 0) console.warn("landlines will ring")
 * ```
 */
export const validateCampaignSend = (
  input: CampaignSendInput,
  options: ValidateOptions,
): Result.Result<Validated<CampaignSendRequest>, ValidationError> => {
  const check = new IssueCollector()
  const raw = input as Partial<Record<keyof CampaignSendInput, unknown>>
  const recipients = check.recipients(
    "phoneNumbers",
    raw.phoneNumbers,
    input.onInvalidRecipients ?? "fail",
    options.maxRecipients,
  )
  const tokenAudio = check.requiredString("tokenAudio", raw.tokenAudio)
  const emailForNotification = check.email("emailForNotification", raw.emailForNotification)
  const sender = check.optionalPhone("sender", raw.sender)
  const scheduledDate = check.optionalSchedule(
    "scheduledDate",
    raw.scheduledDate,
    options.now,
    options.latestSchedule,
  )
  const notifyUrl = check.optionalUrl("notifyUrl", raw.notifyUrl)
  if (
    check.issues.length > 0 ||
    recipients === undefined ||
    tokenAudio === undefined ||
    emailForNotification === undefined
  ) {
    return Result.fail(ValidationError.fromIssues(check.issues))
  }
  const request = new CampaignSendRequest(
    {
      phoneNumbers: recipients.numbers.map((n) => n.e164),
      tokenAudio,
      emailForNotification,
      ...(sender !== undefined && { sender }),
      ...(scheduledDate !== undefined && { scheduledDate }),
      ...(notifyUrl !== undefined && { notifyUrl }),
    },
    { disableChecks: true },
  )
  return Result.succeed({
    request,
    recipients,
    warnings: recipientWarnings(recipients, { landlinesRing: true }),
  })
}

/**
 * The canonical upstream body (without `apiKey`).
 *
 * @example
 * ```ts
 * const request = new CampaignSendRequest({
 *   phoneNumbers: ["+33612345678", "+33752345678"],
 *   tokenAudio: "dev-audio",
 *   emailForNotification: "ops@example.com",
 * })
 * encodeCampaignSend(request).phoneNumbers // "+33612345678,+33752345678"
 * ```
 */
export const encodeCampaignSend = (request: CampaignSendRequest): CampaignSendBody => ({
  phoneNumbers: request.phoneNumbers.join(","),
  tokenAudio: request.tokenAudio,
  emailForNotification: request.emailForNotification,
  ...(request.sender !== undefined && { sender: request.sender }),
  ...(request.scheduledDate !== undefined && { scheduledDate: request.scheduledDate }),
  ...(request.notifyUrl !== undefined && { notifyUrl: request.notifyUrl }),
})
