import * as Result from "effect/Result"
import { ValidationError, ValidationIssue } from "../errors/ValidationError.js"
import { type CampaignSendInput, CampaignSendRequest } from "../model/CampaignSendRequest.js"
import { MAX_NUMBERS_PER_REQUEST } from "../model/limits.js"
import { type TtsSendInput, TtsSendRequest } from "../model/TtsSendRequest.js"
import { type Validated, ValidationWarning } from "../model/Validated.js"
import { CampaignSend } from "../operations/CampaignSend.js"
import { TtsSend } from "../operations/TtsSend.js"
import {
  defaultPolicy,
  type RateLimitPolicy,
  type RateLimitWindow,
} from "../ratelimit/RateLimitPolicy.js"
import { planRequests, type QuotaStart, type WindowReserve, withReserve } from "./admissions.js"
import {
  CURRENCY,
  estimateCost,
  type MessageBasis,
  PRICES,
  type PriceTable,
  speechSeconds,
} from "./prices.js"
import type { Recipients } from "./RecipientCollector.js"

/** The operations a bulk plan sends: voice SMS and voicemail drops. */
export type BulkEndpoint = "tts/send" | "campaign/send"

/** A voice SMS without its recipients: what every chunk of a plan sends. */
export type TtsMessage = Omit<TtsSendInput, "phoneNumbers" | "onInvalidRecipients">
/** A voicemail drop without its recipients. */
export type CampaignMessage = Omit<CampaignSendInput, "phoneNumbers" | "onInvalidRecipients">

/** What a plan sends: an operation and its message, recipients apart. */
export type BulkMessage =
  | { readonly endpoint: "tts/send"; readonly message: TtsMessage }
  | { readonly endpoint: "campaign/send"; readonly message: CampaignMessage }

interface RequestOf {
  readonly "tts/send": TtsSendRequest
  readonly "campaign/send": CampaignSendRequest
}

/** How a plan is computed; everything is given, nothing is read from a clock or the network. */
export interface PlanOptions {
  /** The instant the plan starts (epoch ms): schedules are checked against it, admissions start at it. */
  readonly now: number
  /** Rate-limit windows per endpoint; default Voice Partner's documented ones. */
  readonly policy?: RateLimitPolicy | undefined
  /** Numbers per request, 1–500 (default 500). */
  readonly chunkSize?: number | undefined
  /** Where the quota stands at `now` (a limiter snapshot or admission log); empty by default. */
  readonly quota?: QuotaStart | undefined
  /** Admissions of each window left to others (broadcasts leave some to single sends). */
  readonly reserve?: ReadonlyArray<WindowReserve> | undefined
  /** Price table for the estimate; default {@link PRICES} (EUR). */
  readonly prices?: PriceTable | undefined
  readonly currency?: string | undefined
  /** Latest accepted `scheduledDate` (epoch ms). */
  readonly latestSchedule?: number | undefined
}

/** The estimated cost of a plan: an estimate from a price table, not what will be charged. */
export interface PlanCost {
  readonly amount: number
  readonly currency: string
  /** What was counted per message: seconds of speech for a text, nothing for an audio file. */
  readonly basis: MessageBasis
}

/**
 * What a bulk send will do, computed without any IO from a recipient source and an
 * operation: the request (validated once, for every chunk), the recipients' accounting,
 * the chunks, when each request would be admitted under the rate limits, the estimated
 * end and cost. A dry run renders it; `runBulkPlan` executes it.
 */
export interface PlanOf<E extends BulkEndpoint> {
  readonly endpoint: E
  /**
   * The validated request of the first chunk; every chunk sends it with its own numbers
   * ({@link PlanOf.requestFor}): the message is validated once, the list is not validated
   * again.
   */
  readonly request: RequestOf[E]
  /**
   * What the sender should know: the message's warnings (a speech rate clamped…), the
   * numbers read on a guess, the duplicates removed and, for a voicemail drop, the
   * landlines that will ring.
   */
  readonly warnings: ReadonlyArray<ValidationWarning>
  readonly recipients: Recipients
  readonly chunkSize: number
  /** Requests to send: one per chunk. */
  readonly requests: number
  /** The numbers of chunk `index` (0 ≤ index < requests), in E.164, in first-occurrence order. */
  chunk(index: number): ReadonlyArray<string>
  /** The request of chunk `index`: {@link PlanOf.request} with that chunk's numbers. */
  requestFor(index: number): RequestOf[E]
  /** The windows planned with: the policy's for the endpoint, less the reserve. */
  readonly windows: ReadonlyArray<RateLimitWindow>
  /** When each request would be admitted (epoch ms), under those windows from the quota given. */
  readonly admissions: ReadonlyArray<number>
  /** The plan's instant (`options.now`). */
  readonly plannedAt: number
  /** When the last request would go out (epoch ms); `plannedAt` with no request. */
  readonly endsAt: number
  /** `endsAt - plannedAt`. */
  readonly estimatedMs: number
  readonly cost: PlanCost
}

/** A plan of either operation; narrow it on `endpoint`. */
export type BulkPlan = PlanOf<"tts/send"> | PlanOf<"campaign/send">

/** The plan of a message's operation (a union for a union). */
export type PlanFor<E extends BulkEndpoint> = E extends BulkEndpoint ? PlanOf<E> : never

const retarget = {
  "tts/send": (request: TtsSendRequest, phoneNumbers: ReadonlyArray<string>) =>
    new TtsSendRequest({ ...request, phoneNumbers }, { disableChecks: true }),
  "campaign/send": (request: CampaignSendRequest, phoneNumbers: ReadonlyArray<string>) =>
    new CampaignSendRequest({ ...request, phoneNumbers }, { disableChecks: true }),
} as const

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** Warnings about the whole list (the validator only saw the first chunk). */
const listWarnings = (
  endpoint: BulkEndpoint,
  recipients: Recipients,
): ReadonlyArray<ValidationWarning> => {
  const out: Array<ValidationWarning> = []
  const { counts, kinds, warningCount } = recipients
  if (warningCount > 0)
    out.push(
      new ValidationWarning({
        field: "phoneNumbers",
        message: `${plural(warningCount, "number")} read on a guess (e.g. a leading 0 a spreadsheet ate): check them`,
      }),
    )
  if (counts.duplicates > 0)
    out.push(
      new ValidationWarning({
        field: "phoneNumbers",
        message: `${plural(counts.duplicates, "duplicate")} removed (each number is sent once)`,
      }),
    )
  if (endpoint === "campaign/send" && kinds.landline > 0)
    out.push(
      new ValidationWarning({
        field: "phoneNumbers",
        message: `${plural(kinds.landline, "landline")} will ring: a voicemail drop rings landlines and leaves the message if nobody answers`,
      }),
    )
  return out
}

/**
 * Validates the message once, through the operation's own seam, with the numbers of the
 * first chunk (E.164 already: the list is not validated again).
 */
const validateMessage = (
  send: BulkMessage,
  phoneNumbers: ReadonlyArray<string>,
  options: PlanOptions,
): Result.Result<Validated<TtsSendRequest> | Validated<CampaignSendRequest>, ValidationError> => {
  const validateOptions = {
    now: options.now,
    maxRecipients: MAX_NUMBERS_PER_REQUEST,
    latestSchedule: options.latestSchedule,
  }
  return send.endpoint === "tts/send"
    ? TtsSend.validate({ ...send.message, phoneNumbers }, validateOptions)
    : CampaignSend.validate({ ...send.message, phoneNumbers }, validateOptions)
}

/**
 * Plans a bulk send: validates the message once, splits the unique valid numbers into
 * requests of `chunkSize` (≤ 500), schedules them under the rate limits from the quota
 * given (less the reserve), and estimates the cost from the price table. Pure: the same
 * inputs give the same plan. Fails with the `ValidationError` of the message (every issue
 * at once) or, when no number is valid, one naming `phoneNumbers`.
 *
 * @example
 * ```ts
 * import * as Result from "effect/Result"
 * import { planBulk } from "@voicepartner/core/plan/BulkPlan"
 * import { collectRecipients } from "@voicepartner/core/plan/RecipientCollector"
 *
 * const recipients = collectRecipients(["0612345678", "0112345678", "12"])
 * const plan = planBulk(
 *   { endpoint: "campaign/send", message: { tokenAudio: "dev-audio", emailForNotification: "ops@example.com" } },
 *   recipients,
 *   { now: Date.now() },
 * )
 * if (Result.isSuccess(plan)) plan.success.cost // { amount: 0.12, currency: "EUR", basis: {} }
 * ```
 */
export const planBulk = <M extends BulkMessage>(
  send: M,
  recipients: Recipients,
  options: PlanOptions,
): Result.Result<PlanFor<M["endpoint"]>, ValidationError> =>
  plan(send, recipients, options) as Result.Result<PlanFor<M["endpoint"]>, ValidationError>

const plan = (
  send: BulkMessage,
  recipients: Recipients,
  options: PlanOptions,
): Result.Result<BulkPlan, ValidationError> => {
  const chunkSize = Math.min(
    MAX_NUMBERS_PER_REQUEST,
    Math.max(1, Math.floor(options.chunkSize ?? MAX_NUMBERS_PER_REQUEST)),
  )
  const size = recipients.size
  const chunk = (index: number): ReadonlyArray<string> => {
    const start = index * chunkSize
    const end = Math.min(size, start + chunkSize)
    const out: Array<string> = []
    for (let k = Math.max(0, start); k < end; k++) out.push(recipients.e164(k))
    return out
  }
  const validated = validateMessage(send, chunk(0), options)
  if (Result.isFailure(validated)) {
    if (size > 0) return Result.fail(validated.failure)
    // Nothing valid: the message's own issues first, then what became of the list.
    const { counts } = recipients
    const issues = [
      ...validated.failure.issues.filter((i) => i.field !== "phoneNumbers"),
      new ValidationIssue({
        field: "phoneNumbers",
        message: `has no valid phone number (${counts.read} read: ${counts.invalid} invalid, ${counts.empty} empty)`,
      }),
    ]
    return Result.fail(ValidationError.fromIssues(issues))
  }
  const { request, warnings } = validated.success
  const requests = Math.ceil(size / chunkSize)
  const endpoint = send.endpoint
  const windows = withReserve((options.policy ?? defaultPolicy)[endpoint], options.reserve)
  const admissions = planRequests(
    (options.policy ?? defaultPolicy)[endpoint],
    options.now,
    requests,
    {
      quota: options.quota,
      reserve: options.reserve,
    },
  )
  const endsAt = admissions.at(-1) ?? options.now
  const basis: MessageBasis =
    request instanceof TtsSendRequest && request.text !== undefined
      ? { seconds: speechSeconds(request.text, request.speechRate ?? 1) }
      : {}
  const common = {
    warnings: [
      ...warnings.filter((w) => w.field !== "phoneNumbers"),
      ...listWarnings(endpoint, recipients),
    ],
    recipients,
    chunkSize,
    requests,
    chunk,
    windows,
    admissions,
    plannedAt: options.now,
    endsAt,
    estimatedMs: endsAt - options.now,
    cost: {
      amount: estimateCost(endpoint, recipients.byCountry, basis, options.prices ?? PRICES),
      currency: options.currency ?? CURRENCY,
      basis,
    },
  }
  if (request instanceof TtsSendRequest)
    return Result.succeed<PlanOf<"tts/send">>({
      ...common,
      endpoint: "tts/send",
      request,
      requestFor: (index) => retarget["tts/send"](request, chunk(index)),
    })
  const drop = request as CampaignSendRequest
  return Result.succeed<PlanOf<"campaign/send">>({
    ...common,
    endpoint: "campaign/send",
    request: drop,
    requestFor: (index) => retarget["campaign/send"](drop, chunk(index)),
  })
}
