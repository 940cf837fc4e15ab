import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import { type CallOptions, VoicePartnerClient } from "../client/VoicePartnerClient.js"
import { willNotImprove } from "../errors/failureOutcome.js"
import type { ValidationError } from "../errors/ValidationError.js"
import type { CallError } from "../internal/http/execute.js"
import {
  type CampaignSendInput,
  CampaignSendRequest,
  validateCampaignSend,
} from "../model/CampaignSendRequest.js"
import { MAX_NUMBERS_PER_REQUEST } from "../model/limits.js"
import type { Tolerant } from "../model/responses.js"
import { type TtsSendInput, TtsSendRequest, validateTtsSend } from "../model/TtsSendRequest.js"
import type { Validated } from "../model/Validated.js"
import { nextSlotAt, RateLimiter } from "../ratelimit/RateLimiter.js"
import type { RateLimitPolicy } from "../ratelimit/RateLimitPolicy.js"
import { defaultPolicy } from "../ratelimit/RateLimitPolicy.js"
import { planAdmissions } from "../ratelimit/slidingLog.js"
import type { BulkEvent, BulkProgress } from "./BulkEvent.js"
import type { BulkSummary, FailedChunk, SentChunk } from "./BulkSummary.js"

/** The upstream's documented maximum of numbers per request. */
export { MAX_NUMBERS_PER_REQUEST }

// The whole list is validated once, then split: no per-request limit applies to it.
const wholeList = { maxRecipients: Number.POSITIVE_INFINITY }

/** Options of a bulk send. */
export interface BulkOptions {
  /** Called for every event; a failing callback does not stop the send. */
  readonly onProgress?: ((event: BulkEvent) => Effect.Effect<void>) | undefined
  /** Stops before the next request; the request in flight is always completed. */
  readonly signal?: AbortSignal | undefined
  /** Numbers per request (≤ 500). */
  readonly chunkSize?: number | undefined
  /** Policy used for ETAs (the limiter itself enforces its own). */
  readonly policy?: RateLimitPolicy | undefined
  /**
   * The `Idempotency-Key` of each request, from its chunk (through the gateway, a chunk
   * sent again with the same key replays the first answer instead of sending twice).
   * Derive it from what the chunk sends, so that re-running the same bulk after a
   * failure finds the same keys.
   */
  readonly idempotencyKey?:
    | ((chunk: { readonly index: number; readonly numbers: ReadonlyArray<string> }) => string)
    | undefined
}

/**
 * Splits a list into consecutive chunks of at most `size`.
 *
 * @example
 * ```ts
 * chunksOf([1, 2, 3], 2) // [[1, 2], [3]]
 * ```
 */
export const chunksOf = <A>(
  items: ReadonlyArray<A>,
  size: number,
): ReadonlyArray<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
  return chunks
}

const waitForAbort = (signal: AbortSignal): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    if (signal.aborted) return resume(Effect.void)
    const onAbort = () => resume(Effect.void)
    signal.addEventListener("abort", onAbort, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", onAbort))
  })

/** How the chunks of one bulk are sent: the operation, and each chunk's request by index. */
export interface BulkChunks<R> {
  readonly endpoint: "tts/send" | "campaign/send"
  /** Number of chunks. */
  readonly count: number
  /** Numbers in all the chunks. */
  readonly total: number
  readonly numbers: (index: number) => ReadonlyArray<string>
  readonly request: (index: number, numbers: ReadonlyArray<string>) => R
  readonly send: (
    client: VoicePartnerClient["Service"],
    request: R,
    options: CallOptions,
  ) => Effect.Effect<
    Tolerant<{ campaignId: string | number; cost: number; currency: string }>,
    CallError
  >
}

/**
 * Sends chunks one after another under the limiter, reporting each outcome: the loop
 * shared by the bulk sends and by the execution of a plan (`runBulkPlan`).
 */
export const runChunks = <R>(
  chunks: BulkChunks<R>,
  options: BulkOptions,
): Effect.Effect<Omit<BulkSummary, "recipients">, never, VoicePartnerClient | RateLimiter> =>
  Effect.gen(function* () {
    const client = yield* VoicePartnerClient
    const limiter = yield* RateLimiter
    const windows = (options.policy ?? defaultPolicy)[chunks.endpoint]
    const count = chunks.count
    const sent: Array<SentChunk> = []
    const failed: Array<FailedChunk> = []
    const sentAt: Array<number> = []
    const costByCurrency: Record<string, number> = {}
    let numbersSent = 0
    let numbersFailed = 0
    let stoppedAt: number | undefined
    let stoppedBy: CallError | undefined

    const progress = (now: number, done: number): BulkProgress => {
      const plan = planAdmissions(sentAt, windows, now, count - done)
      return {
        chunksTotal: count,
        chunksDone: done,
        numbersTotal: chunks.total,
        numbersSent,
        numbersFailed,
        costByCurrency: { ...costByCurrency },
        etaAt: plan.at(-1) ?? now,
      }
    }
    const report = (event: BulkEvent) =>
      options.onProgress === undefined ? Effect.void : Effect.ignore(options.onProgress(event))

    for (let index = 0; index < count; index++) {
      const numbers = chunks.numbers(index)
      // Wait for a free slot here, where a stop can still cancel cleanly (nothing reserved).
      const now = yield* Clock.currentTimeMillis
      const freeAt = nextSlotAt(yield* limiter.snapshot(chunks.endpoint), now)
      if (options.signal !== undefined) {
        if (freeAt > now)
          yield* Effect.raceFirst(Effect.sleep(freeAt - now), waitForAbort(options.signal))
        if (options.signal.aborted) {
          stoppedAt = index
          break
        }
      } else if (freeAt > now) {
        yield* Effect.sleep(freeAt - now)
      }
      yield* report({
        _tag: "ChunkStarted",
        chunk: index,
        size: numbers.length,
        progress: progress(now, index),
      })
      // Typed failures are chunk outcomes; defects and interruptions go through unchanged.
      const idempotencyKey = options.idempotencyKey?.({ index, numbers })
      const outcome = yield* Effect.result(
        chunks.send(client, chunks.request(index, numbers), { idempotencyKey }),
      )
      const after = yield* Clock.currentTimeMillis
      if (Result.isSuccess(outcome)) {
        const answer = outcome.success
        const campaignId = String(answer.campaignId)
        sentAt.push(after)
        numbersSent += numbers.length
        costByCurrency[answer.currency] = (costByCurrency[answer.currency] ?? 0) + answer.cost
        sent.push({
          chunk: index,
          campaignId,
          numbers,
          cost: answer.cost,
          currency: answer.currency,
        })
        yield* report({
          _tag: "ChunkSent",
          chunk: index,
          campaignId,
          numbers,
          progress: progress(after, index + 1),
        })
      } else {
        const error = outcome.failure
        numbersFailed += numbers.length
        failed.push({ chunk: index, numbers, error })
        yield* report({
          _tag: "ChunkFailed",
          chunk: index,
          numbers,
          error,
          progress: progress(after, index + 1),
        })
        // No credit, a wrong key, an unknown audio file: every later chunk would fail the
        // same way. Stop and leave them unsent rather than refused one by one.
        if (willNotImprove(error)) {
          stoppedAt = index + 1
          stoppedBy = error
          yield* report({
            _tag: "Stopped",
            reason: error,
            progress: progress(after, index + 1),
          })
          break
        }
      }
    }
    const notAttempted: Array<string> = []
    if (stoppedAt !== undefined)
      for (let index = stoppedAt; index < count; index++)
        for (const n of chunks.numbers(index)) notAttempted.push(n)
    return {
      requests: sent.length + failed.length,
      numbersSent,
      sent,
      failed,
      notAttempted,
      costByCurrency,
      campaignIds: sent.map((c) => c.campaignId),
      stopped: stoppedAt !== undefined,
      ...(stoppedBy !== undefined && { stoppedBy }),
    }
  })

/** Sends a request of either operation through the client. */
export const sendTtsChunk: BulkChunks<TtsSendRequest>["send"] = (client, request, options) =>
  client.sendTtsRequest(request, options)
export const sendCampaignChunk: BulkChunks<CampaignSendRequest>["send"] = (
  client,
  request,
  options,
) => client.sendCampaignRequest(request, options)

const runBulk = <R extends { readonly phoneNumbers: ReadonlyArray<string> }>(
  validated: Result.Result<Validated<R>, ValidationError>,
  endpoint: BulkChunks<R>["endpoint"],
  retarget: (request: R, numbers: ReadonlyArray<string>) => R,
  send: BulkChunks<R>["send"],
  options: BulkOptions,
): Effect.Effect<BulkSummary, ValidationError, VoicePartnerClient | RateLimiter> =>
  Effect.gen(function* () {
    const { request, recipients } = yield* Effect.fromResult(validated)
    const size = Math.min(
      MAX_NUMBERS_PER_REQUEST,
      Math.max(1, options.chunkSize ?? MAX_NUMBERS_PER_REQUEST),
    )
    const chunks = chunksOf(request.phoneNumbers, size)
    const summary = yield* runChunks(
      {
        endpoint,
        count: chunks.length,
        total: request.phoneNumbers.length,
        numbers: (index) => chunks[index] as ReadonlyArray<string>,
        request: (_index, numbers) => retarget(request, numbers),
        send,
      },
      options,
    )
    return { ...summary, recipients: recipients! }
  })

/**
 * Sends a voice SMS to any number of recipients: validated once, split into requests of
 * at most 500 numbers, sent one after another under the rate limiter. A failed chunk is
 * reported and the others go on; no chunk is ever sent twice.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { sendTtsBulk } from "@voicepartner/core"
 *
 * declare const numbersFromCsv: ReadonlyArray<string>
 * const program = Effect.gen(function* () {
 *   const summary = yield* sendTtsBulk(
 *     { phoneNumbers: numbersFromCsv, text: "Rappel : votre rendez-vous demain" },
 *     { onProgress: (e) => Effect.log(e._tag, e.progress.numbersSent) },
 *   )
 *   yield* Effect.log(`${summary.numbersSent} sent, ${summary.failed.length} chunks failed`)
 * })
 * ```
 */
export const sendTtsBulk = (
  input: TtsSendInput,
  options: BulkOptions = {},
): Effect.Effect<BulkSummary, ValidationError, RateLimiter | VoicePartnerClient> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    runBulk(
      validateTtsSend(input, { now, ...wholeList }),
      "tts/send",
      (request, phoneNumbers) =>
        new TtsSendRequest({ ...request, phoneNumbers }, { disableChecks: true }),
      sendTtsChunk,
      options,
    ),
  )

/**
 * Sends a voicemail drop to any number of recipients (see {@link sendTtsBulk}). At 5
 * requests a minute, 100,000 recipients take 39 minutes.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { sendCampaignBulk } from "@voicepartner/core"
 *
 * declare const phoneNumbers: ReadonlyArray<string>
 * const program = Effect.gen(function* () {
 *   const summary = yield* sendCampaignBulk({
 *     phoneNumbers,
 *     tokenAudio: "dev-audio",
 *     emailForNotification: "ops@example.com",
 *   })
 *   yield* Effect.log(`campaigns ${summary.campaignIds.join(", ")}`)
 * })
 * ```
 */
export const sendCampaignBulk = (
  input: CampaignSendInput,
  options: BulkOptions = {},
): Effect.Effect<BulkSummary, ValidationError, RateLimiter | VoicePartnerClient> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    runBulk(
      validateCampaignSend(input, { now, ...wholeList }),
      "campaign/send",
      (request, phoneNumbers) =>
        new CampaignSendRequest({ ...request, phoneNumbers }, { disableChecks: true }),
      sendCampaignChunk,
      options,
    ),
  )
