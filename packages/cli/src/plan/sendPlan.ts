import { chunksOf, MAX_NUMBERS_PER_REQUEST } from "@voicepartner/core/bulk/sendBulk"
import type { Endpoint } from "@voicepartner/core/model/Endpoint"
import {
  normalizeRecipients,
  type RecipientList,
} from "@voicepartner/core/phone/normalizeRecipients"
import type { RateLimitPolicy } from "@voicepartner/core/ratelimit/RateLimitPolicy"
import { planAdmissions } from "@voicepartner/core/ratelimit/slidingLog"
import type { RecipientEntry } from "../input/readRecipients.js"

/** What a send would do, computed without any IO. */
export interface SendPlan {
  readonly endpoint: Endpoint
  readonly recipients: RecipientList
  /** Invalid entries with where they came from (`file.csv:12`). */
  readonly invalid: ReadonlyArray<{
    readonly origin: string
    readonly input: string
    readonly reason: string
  }>
  readonly requests: number
  /** Milliseconds from the first request to the last, under the policy (core's limiter algorithm). */
  readonly estimatedMs: number
}

/** Builds the plan of a bulk send from core's normaliser, chunking and limiter algorithm. */
export const makeSendPlan = (
  entries: ReadonlyArray<RecipientEntry>,
  endpoint: Endpoint,
  policy: RateLimitPolicy,
  chunkSize: number = MAX_NUMBERS_PER_REQUEST,
): SendPlan => {
  const recipients = normalizeRecipients(entries.map((e) => e.input))
  const requests = chunksOf(recipients.numbers, chunkSize).length
  const instants = planAdmissions([], policy[endpoint], 0, requests)
  return {
    endpoint,
    recipients,
    invalid: recipients.invalid.map((i) => ({
      origin: entries[i.index]?.origin ?? "?",
      input: i.input,
      reason: i.reason,
    })),
    requests,
    estimatedMs: instants.at(-1) ?? 0,
  }
}
