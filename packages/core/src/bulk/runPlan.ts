import type * as Effect from "effect/Effect"
import type { VoicePartnerClient } from "../client/VoicePartnerClient.js"
import type { BulkPlan } from "../plan/BulkPlan.js"
import type { RateLimiter } from "../ratelimit/RateLimiter.js"
import type { BulkSummary } from "./BulkSummary.js"
import { type BulkOptions, runChunks, sendCampaignChunk, sendTtsChunk } from "./sendBulk.js"

/** Options of {@link runBulkPlan}: those of a bulk send; the chunks are the plan's. */
export type RunPlanOptions = Omit<BulkOptions, "chunkSize">

/**
 * Executes a plan: sends its chunks one after another under the limiter, each as the
 * plan's validated request with the chunk's numbers — nothing is validated again. Stops,
 * like a bulk send, at a failure that will not improve (no credit, wrong key, unknown
 * audio, sender not authorised) or when `signal` aborts; never sends a chunk twice. The
 * summary has no `recipients`: the plan holds them.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as Result from "effect/Result"
 * import { runBulkPlan } from "@voicepartner/core/bulk/runPlan"
 * import { planBulk } from "@voicepartner/core/plan/BulkPlan"
 * import { collectRecipients } from "@voicepartner/core/plan/RecipientCollector"
 *
 * const plan = planBulk(
 *   { endpoint: "tts/send", message: { text: "Bonjour" } },
 *   collectRecipients(["0612345678", "0698765432"]),
 *   { now: Date.now() },
 * )
 * const program = Effect.gen(function* () {
 *   if (Result.isFailure(plan)) return
 *   const summary = yield* runBulkPlan(plan.success, {
 *     idempotencyKey: ({ index }) => `reminder-2026-12-01/${index}`,
 *   })
 *   yield* Effect.log(`${summary.numbersSent} numbers sent`)
 * })
 * ```
 */
export const runBulkPlan = (
  plan: BulkPlan,
  options: RunPlanOptions = {},
): Effect.Effect<BulkSummary, never, VoicePartnerClient | RateLimiter> => {
  const policy = options.policy ?? { [plan.endpoint]: plan.windows }
  const run = { ...options, policy: policy as BulkOptions["policy"] }
  const base = {
    count: plan.requests,
    total: plan.recipients.size,
    numbers: plan.chunk,
  }
  return plan.endpoint === "tts/send"
    ? runChunks(
        {
          ...base,
          endpoint: "tts/send",
          request: (index) => plan.requestFor(index),
          send: sendTtsChunk,
        },
        run,
      )
    : runChunks(
        {
          ...base,
          endpoint: "campaign/send",
          request: (index) => plan.requestFor(index),
          send: sendCampaignChunk,
        },
        run,
      )
}
