import { MAX_NUMBERS_PER_REQUEST } from "@voicepartner/core/bulk/sendBulk"
import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import type { PhoneKind } from "@voicepartner/core/phone/PhoneNumber"
import type { RateLimitPolicy, RateLimitWindow } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import { planAdmissions } from "@voicepartner/core/ratelimit/slidingLog"
import { originOf, type RecipientRows } from "../input/readRecipients.js"
import { CURRENCY, estimateCost, type MessageBasis } from "./prices.js"
import type { Recipients } from "./RecipientCollector.js"

/** Every row read ends up in exactly one of these: valid + invalid + duplicates + empty = read. */
export interface RowCounts {
  readonly read: number
  readonly valid: number
  readonly invalid: number
  readonly duplicates: number
  readonly empty: number
}

/** What a send would do, computed without any IO. */
export interface SendPlan {
  readonly endpoint: Endpoint
  readonly recipients: Recipients
  readonly rows: RecipientRows
  readonly counts: RowCounts
  /** Invalid entries with where they came from (`file.csv:12`). */
  readonly invalid: ReadonlyArray<{
    readonly origin: string
    readonly input: string
    readonly reason: string
  }>
  readonly chunkSize: number
  readonly requests: number
  /** The rate-limit windows of the endpoint, as planned with. */
  readonly windows: ReadonlyArray<RateLimitWindow>
  /** Milliseconds from the first request to the last, under the policy (core's limiter algorithm). */
  readonly estimatedMs: number
  /** Estimated cost in {@link CURRENCY}, from the CLI's price table (see prices.ts). */
  readonly estimatedCost: number
  readonly currency: string
  readonly basis: MessageBasis
}

/**
 * Builds the plan of a bulk send from core's normaliser and limiter algorithm: row
 * accounting, kinds, requests of `chunkSize`, time under the policy, estimated cost.
 */
export const makeSendPlan = (
  rows: RecipientRows,
  endpoint: Endpoint,
  policy: RateLimitPolicy,
  chunkSize: number = MAX_NUMBERS_PER_REQUEST,
  basis: MessageBasis = {},
): SendPlan => {
  const recipients = rows.collector.finish()
  const requests = Math.ceil(recipients.size / chunkSize)
  const windows = policy[endpoint]
  const instants = planAdmissions([], windows, 0, requests)
  let empty = 0
  let read = 0
  for (const s of rows.sources) {
    empty += s.empty
    read += s.rows
  }
  return {
    endpoint,
    recipients,
    rows,
    counts: {
      read,
      valid: recipients.size,
      invalid: recipients.invalid.length,
      duplicates: recipients.duplicates.length,
      empty,
    },
    invalid: recipients.invalid.map((i) => ({
      origin: originOf(rows, i.index),
      input: i.input,
      reason: i.reason,
    })),
    chunkSize,
    requests,
    windows,
    estimatedMs: instants.at(-1) ?? 0,
    estimatedCost: estimateCost(endpoint, recipients.byCountry, basis),
    currency: CURRENCY,
    basis,
  }
}

/** The numbers of a kind, with where each came from, at most `limit`. */
export const numbersOfKind = (
  plan: SendPlan,
  kind: PhoneKind,
  limit = Number.POSITIVE_INFINITY,
): Array<{ readonly e164: string; readonly origin: string }> => {
  const out: Array<{ readonly e164: string; readonly origin: string }> = []
  const r = plan.recipients
  for (let k = 0; k < r.size && out.length < limit; k++)
    if (r.kind(k) === kind) out.push({ e164: r.e164(k), origin: originOf(plan.rows, r.index(k)) })
  return out
}

/** Every valid number in E.164, in first-occurrence order. */
export const e164List = (plan: SendPlan): Array<string> =>
  Array.from({ length: plan.recipients.size }, (_, k) => plan.recipients.e164(k))
