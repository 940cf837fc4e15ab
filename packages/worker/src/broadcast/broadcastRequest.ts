import { ValidationError, ValidationIssue } from "@voicepartner/core/errors/ValidationError"
import type { ValidateOptions, ValidationWarning } from "@voicepartner/core/model/Validated"
import { CampaignSend } from "@voicepartner/core/operations/CampaignSend"
import { TtsSend } from "@voicepartner/core/operations/TtsSend"
import { parseScheduledDate } from "@voicepartner/core/schedule/scheduledDate"
import * as Result from "effect/Result"
import type { ApiError } from "../http/apiError.js"
import { validationAnswer } from "../http/validationAnswer.js"
import { MAX_SCHEDULE_AHEAD_MS, sendLimits } from "../routes/sendSteps.js"
import {
  type BroadcastMessage,
  type BroadcastPlan,
  type BroadcastType,
  endpointOf,
  type PlanWarning,
} from "./broadcastTypes.js"
import { costEstimate } from "./costEstimate.js"
import { estimatedEnd, type QuotaVars } from "./estimate.js"
import {
  CHUNK_SIZE,
  chunkCount,
  e164At,
  MAX_BROADCAST_RECIPIENTS,
  type PlannedRecipients,
  planRecipients,
  type RecipientRows,
} from "./recipientPlan.js"

/** The fields of `POST /v1/broadcasts` besides the recipients (however they came). */
export const BROADCAST_FIELDS = ["type", "message", "name", "startAt", "notifyUrl", "dryRun"]
/** Longest broadcast name. */
const MAX_NAME = 200

/** Message fields that belong elsewhere in a broadcast, and where. */
const NOT_IN_MESSAGE: Readonly<Record<string, string>> = {
  phoneNumbers: "recipients go in `recipients`",
  notifyUrl: "give `notifyUrl` next to `message`",
  scheduledDate: "use `startAt` (the broadcast starts then)",
}

/** A broadcast request that passed validation: what is stored, or planned only. */
export interface ValidatedBroadcast {
  readonly type: BroadcastType
  readonly message: BroadcastMessage
  readonly notifyUrl: string | undefined
  readonly name: string | undefined
  readonly startAt: number | undefined
  readonly dryRun: boolean
  readonly plan: BroadcastPlan
  readonly rows: RecipientRows
  /** When it was validated: its creation time. */
  readonly at: number
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const issue = (field: string, message: string, index?: number) =>
  new ValidationIssue({ field, message, ...(index !== undefined && { index }) })

/** A 400 naming the first faulty field and listing every issue. */
const refusal = (issues: ReadonlyArray<ValidationIssue>): ApiError =>
  validationAnswer(ValidationError.fromIssues(issues))

/** The 400 for a list of `length` rows, past {@link MAX_BROADCAST_RECIPIENTS}. */
export const tooManyRecipients = (length: number): ApiError =>
  refusal([
    issue(
      "recipients",
      `has ${length} rows; a broadcast takes at most ${MAX_BROADCAST_RECIPIENTS.toLocaleString("en")}`,
    ),
  ])

/** The 400 for a list whose entry `index` is not a string. */
export const recipientNotString = (index: number): ApiError =>
  refusal([issue("recipients", "must hold phone numbers as strings", index)])

/**
 * How a request names its fields: `json`, as the body's keys (`message.tokenAudio`,
 * `recipients`); `query`, a CSV upload's — the message fields are query parameters
 * (`tokenAudio`) and the recipients are the body (`body`).
 */
export type FieldNaming = "json" | "query"

/** A field of the JSON form as the request named it. */
export const fieldName = (field: string, naming: FieldNaming): string =>
  naming === "json"
    ? field
    : field === "recipients"
      ? "body"
      : field.startsWith("message.")
        ? field.slice("message.".length)
        : field

const renamed = (issues: ReadonlyArray<ValidationIssue>, naming: FieldNaming) =>
  naming === "json"
    ? issues
    : issues.map(
        (i) =>
          new ValidationIssue({
            field: fieldName(i.field, naming),
            message: i.message,
            ...(i.index !== undefined && { index: i.index }),
            ...(i.input !== undefined && { input: i.input }),
          }),
      )

/**
 * The recipients of a JSON body: an array of at most 1,000,000 strings, else the issue.
 *
 * @example
 * ```ts
 * recipientList(["06 12 34 56 78"]) // { ok: true, inputs: ["06 12 34 56 78"] }
 * recipientList("0612345678") // { ok: false, … "must be an array of phone numbers (strings)" }
 * ```
 */
export const recipientList = (
  value: unknown,
):
  | { readonly ok: true; readonly inputs: ReadonlyArray<string> }
  | { readonly ok: false; readonly error: ApiError } => {
  if (value === undefined || value === null)
    return { ok: false, error: refusal([issue("recipients", "is required")]) }
  if (!Array.isArray(value))
    return {
      ok: false,
      error: refusal([issue("recipients", "must be an array of phone numbers (strings)")]),
    }
  if (value.length > MAX_BROADCAST_RECIPIENTS)
    return { ok: false, error: tooManyRecipients(value.length) }
  const bad = value.findIndex((v) => typeof v !== "string")
  if (bad >= 0) return { ok: false, error: recipientNotString(bad) }
  return { ok: true, inputs: value as ReadonlyArray<string> }
}

/** Core's operation of the type: the validated upstream body and the warnings. */
const validateMessage = (
  type: BroadcastType,
  input: unknown,
  options: ValidateOptions,
): Result.Result<
  {
    readonly body: Readonly<Record<string, unknown>>
    readonly warnings: ReadonlyArray<ValidationWarning>
  },
  ValidationError
> =>
  type === "voicemail"
    ? Result.map(CampaignSend.validate(input, options), (v) => ({
        body: CampaignSend.toCall(v.request).body ?? {},
        warnings: v.warnings,
      }))
    : Result.map(TtsSend.validate(input, options), (v) => ({
        body: TtsSend.toCall(v.request).body ?? {},
        warnings: v.warnings,
      }))

/** Where core's issue on a send's field goes in a broadcast request. */
const broadcastField = (field: string): string =>
  field === "phoneNumbers" ? "recipients" : field === "notifyUrl" ? "notifyUrl" : `message.${field}`

/**
 * Validates a broadcast before anything is stored or sent. The recipients are normalised
 * by core (`planRecipients`, or planned already as they were read: a CSV upload); the
 * message by core's own operation (`CampaignSend` or `TtsSend`), given the broadcast's
 * first chunk of real numbers — the request of every chunk is that one with other numbers
 * — and the gateway's send limits. Then the plan: counts, requests, estimated end under the
 * quota policy, estimated cost from core's price table. Every problem is reported at once,
 * each naming its field (`type`, `message.tokenAudio`, `recipients`, `startAt`, …; with
 * `naming: "query"`, as a CSV upload's query parameters: `tokenAudio`, `body`…).
 *
 * @example
 * ```ts
 * const checked = validateBroadcast(
 *   { type: "voicemail", message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" } },
 *   ["06 12 34 56 78", "01 23 45 67 89"],
 *   { now: Date.now(), quota: {} },
 * )
 * if (checked.ok) checked.value.plan.recipients.landline // 1
 * ```
 */
export const validateBroadcast = (
  fields: Readonly<Record<string, unknown>>,
  inputs: ReadonlyArray<string> | PlannedRecipients,
  options: {
    readonly now: number
    readonly quota: QuotaVars
    readonly naming?: FieldNaming | undefined
  },
):
  | { readonly ok: true; readonly value: ValidatedBroadcast }
  | { readonly ok: false; readonly error: ApiError } => {
  const { now } = options
  const naming = options.naming ?? "json"
  const refusal = (issues: ReadonlyArray<ValidationIssue>): ApiError =>
    validationAnswer(ValidationError.fromIssues(renamed(issues, naming)))
  const issues: Array<ValidationIssue> = []
  for (const key of Object.keys(fields))
    if (!BROADCAST_FIELDS.includes(key))
      issues.push(
        issue(key, `is not a broadcast field (${BROADCAST_FIELDS.join(", ")}, recipients)`),
      )
  const { type, message, name, startAt, notifyUrl, dryRun } = fields
  if (type !== "voicemail" && type !== "tts")
    issues.push(
      issue(
        "type",
        type === undefined ? "is required: voicemail or tts" : "must be voicemail or tts",
      ),
    )
  if (!isRecord(message))
    issues.push(issue("message", message === undefined ? "is required" : "must be an object"))
  else
    for (const [key, where] of Object.entries(NOT_IN_MESSAGE))
      if (message[key] !== undefined)
        issues.push(issue(`message.${key}`, `is not allowed here: ${where}`))
  if (
    name !== undefined &&
    (typeof name !== "string" || name.trim() === "" || name.length > MAX_NAME)
  )
    issues.push(issue("name", `must be a non-empty string of at most ${MAX_NAME} characters`))
  if (dryRun !== undefined && typeof dryRun !== "boolean")
    issues.push(issue("dryRun", "must be true or false"))
  let startEpoch: number | undefined
  if (startAt !== undefined && startAt !== null) {
    const parsed =
      typeof startAt === "string"
        ? parseScheduledDate(startAt, now)
        : {
            ok: false as const,
            reason: "must be a string (ISO 8601, or Paris time YYYY-MM-DD HH:MM)",
          }
    if (!parsed.ok) issues.push(issue("startAt", parsed.reason))
    else if (parsed.value.epochMs > now + MAX_SCHEDULE_AHEAD_MS)
      issues.push(
        issue("startAt", `must be at most ${MAX_SCHEDULE_AHEAD_MS / 86_400_000} days ahead`),
      )
    else startEpoch = parsed.value.epochMs
  }
  if ((type !== "voicemail" && type !== "tts") || !isRecord(message))
    return { ok: false, error: refusal(issues) }

  const { counts, rows, byCountry } = Array.isArray(inputs)
    ? planRecipients(inputs as ReadonlyArray<string>)
    : (inputs as PlannedRecipients)
  const firstChunk = Array.from({ length: Math.min(CHUNK_SIZE, rows.count) }, (_, i) =>
    e164At(rows, i),
  )
  const validated = validateMessage(
    type,
    { ...message, phoneNumbers: firstChunk, notifyUrl, onInvalidRecipients: "fail" },
    sendLimits(now),
  )
  if (Result.isFailure(validated)) {
    for (const i of validated.failure.issues)
      issues.push(
        new ValidationIssue({
          field: broadcastField(i.field),
          message:
            i.field === "phoneNumbers" && counts.invalidCount > 0
              ? `${i.message} (${counts.invalidCount} invalid rows)`
              : i.message,
        }),
      )
    return { ok: false, error: refusal(issues) }
  }
  if (issues.length > 0) return { ok: false, error: refusal(issues) }

  const {
    phoneNumbers: _numbers,
    notifyUrl: canonicalNotifyUrl,
    ...body
  } = validated.success.body as Record<string, string | number>
  const warnings: Array<PlanWarning> = validated.success.warnings
    .filter((w) => w.field !== "phoneNumbers")
    .map((w) => ({ field: fieldName(broadcastField(w.field), naming), message: w.message }))
  if (type === "voicemail" && counts.landline > 0)
    warnings.push({
      field: fieldName("recipients", naming),
      message: `${counts.landline} landline${counts.landline === 1 ? "" : "s"} will ring: a voicemail drop rings landlines and leaves the message if nobody answers`,
    })
  const requests = chunkCount(counts.valid)
  return {
    ok: true,
    value: {
      type,
      message: body,
      notifyUrl: typeof canonicalNotifyUrl === "string" ? canonicalNotifyUrl : undefined,
      name: typeof name === "string" ? name.trim() : undefined,
      startAt: startEpoch,
      dryRun: dryRun === true,
      rows,
      at: now,
      plan: {
        recipients: counts,
        requests,
        estimatedEndAt: new Date(
          estimatedEnd(options.quota, endpointOf(type), requests, startEpoch ?? now),
        ).toISOString(),
        estimatedCost: costEstimate(type, body, byCountry),
        warnings,
      },
    },
  }
}
