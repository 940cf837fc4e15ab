import { nothingWasSent, willNotImprove } from "@voicepartner/core/errors/failureOutcome"
import { withoutCallbackUrls } from "../callbacks/redactCallbackUrls.js"
import type { SendRecord } from "../ledger/ledgerTypes.js"
import type { UpstreamOutcome } from "../upstream/callUpstream.js"
import { certainlyNotSent, outcomeAnswer } from "../upstream/outcomeResponse.js"
import { QUOTA_MARGIN_MS } from "./estimate.js"

/** Tries a chunk gets when nothing went out for a passing reason (503, connection refused). */
export const MAX_ATTEMPTS = 6
/** Delays before those tries again, ms (the last repeats). */
const BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000]

/**
 * What a chunk's upstream call means for the chunk and its broadcast:
 * - `sent`: accepted (campaign id and cost from the answer);
 * - `failed`: refused, nothing went out, and trying the same request again would not help
 *   (a destination refused, an invalid request): final, `POST …/retry` resends;
 * - `unknown`: it may have gone out (timeout, dropped connection, a 5xx, an answer that
 *   could not be read): final, never sent again automatically;
 * - `later`: nothing went out for a passing reason (no quota slot, the quota object
 *   unreachable, 503, connection refused): pending again, tried after `afterMs`
 *   (`attempt`: whether it counts towards {@link MAX_ATTEMPTS});
 * - `pause`: nothing went out and no later chunk can do better (core's `willNotImprove`:
 *   no credit, wrong key, unknown audio, sender not authorised): the chunk stays pending
 *   and the broadcast pauses with this reason until `resume`.
 */
export type ChunkResult =
  | {
      readonly kind: "sent"
      readonly campaignId: string | undefined
      readonly cost: number | undefined
      readonly currency: string | undefined
    }
  | {
      readonly kind: "failed" | "unknown" | "pause"
      readonly code: string
      readonly message: string
    }
  | {
      readonly kind: "later"
      readonly afterMs: number
      readonly attempt: boolean
      readonly code: string
      readonly message: string
    }

const field = (json: unknown, name: string): unknown =>
  typeof json === "object" && json !== null ? (json as Record<string, unknown>)[name] : undefined

/** The backoff before the next try once `attempts` tries were made. */
export const backoffAfter = (attempts: number): number =>
  BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length) - 1] ?? (BACKOFF_MS[0] as number)

/**
 * Reads an upstream outcome as a {@link ChunkResult}, with core's `nothingWasSent` and
 * `willNotImprove` deciding what may be tried again. `attempts`: tries made so far,
 * this one included.
 *
 * @example
 * ```ts
 * import { VoicePartnerApiError } from "@voicepartner/core/errors/VoicePartnerApiError"
 *
 * const notCredit = new VoicePartnerApiError({
 *   reason: "InsufficientCredit",
 *   endpoint: "campaign/send",
 *   status: 402,
 *   code: "NOT_CREDIT",
 *   detail: "Not enough credit",
 * })
 * chunkResult({ kind: "error", error: notCredit, quota: undefined }, 1)
 * // { kind: "pause", code: "NOT_CREDIT", message: "Voice Partner campaign/send failed with HTTP 402 (NOT_CREDIT): Not enough credit" }
 * ```
 */
export const chunkResult = (outcome: UpstreamOutcome, attempts: number): ChunkResult => {
  switch (outcome.kind) {
    case "answer": {
      const json = outcome.answer.json
      const campaignId = field(json, "campaignId")
      const cost = Number(field(json, "cost"))
      const currency = field(json, "currency")
      return {
        kind: "sent",
        campaignId:
          typeof campaignId === "string" || typeof campaignId === "number"
            ? String(campaignId)
            : undefined,
        cost: Number.isFinite(cost) ? cost : undefined,
        currency: typeof currency === "string" ? currency : undefined,
      }
    }
    case "abandoned":
      return {
        kind: "later",
        afterMs: 1_000,
        attempt: false,
        code: "ABANDONED",
        message: "not sent",
      }
    case "unavailable":
      // A defect, wherever it happened: the request may have left. Never resent blindly.
      return {
        kind: "unknown",
        code: "GATEWAY_UNAVAILABLE",
        message: "the call failed inside the gateway; the request may have been sent",
      }
    case "error":
      break
  }
  const error = outcome.error
  const message = withoutCallbackUrls(error.message).slice(0, 500)
  const again = (code: string, afterMs: number, attempt: boolean): ChunkResult =>
    attempt && attempts >= MAX_ATTEMPTS
      ? { kind: "failed", code, message }
      : { kind: "later", afterMs, attempt, code, message }
  switch (error._tag) {
    case "RateLimitedError":
      // The quota's "come back in", and the margin that keeps the provider's view behind.
      return again("RATE_LIMITED", Math.max(error.retryAfterMs, 0) + QUOTA_MARGIN_MS, false)
    case "RateLimiterUnavailable":
      return again("GATEWAY_UNAVAILABLE", Math.max(error.retryAfterMs ?? 1_000, 1_000), false)
    case "TransportError":
      return error.reason === "ConnectFailed"
        ? again("UPSTREAM_UNREACHABLE", backoffAfter(attempts), true)
        : {
            kind: "unknown",
            code: error.reason === "Timeout" ? "UPSTREAM_TIMEOUT" : "UPSTREAM_OUTCOME_UNKNOWN",
            message,
          }
    case "DecodeError":
      return { kind: "unknown", code: "UPSTREAM_OUTCOME_UNKNOWN", message }
    case "VoicePartnerApiError": {
      const code = String(error.code ?? error.reason)
      if (willNotImprove(error)) return { kind: "pause", code, message }
      if (error.status === 429 || error.reason === "RateLimited")
        return again(code, Math.max(error.retryAfterMs ?? 60_000, 1_000), false)
      if (error.reason === "ServiceUnavailable") return again(code, backoffAfter(attempts), true)
      return nothingWasSent(error)
        ? { kind: "failed", code, message }
        : { kind: "unknown", code, message }
    }
  }
}

/**
 * The ledger's record of a chunk's send, as the single sends record theirs: written when
 * something may have gone out (core's rule, `certainlyNotSent`), so that the provider's
 * callbacks on the chunk's URL bind to it. `undefined`: nothing to record.
 */
export const chunkSendRecord = (
  base: {
    readonly sendId: string
    readonly endpoint: "tts/send" | "campaign/send"
    readonly createdAt: number
    readonly recipients: number
  },
  outcome: UpstreamOutcome,
  result: ChunkResult,
): SendRecord | undefined => {
  if (certainlyNotSent(outcome)) return undefined
  return {
    ...base,
    outcome:
      result.kind === "sent"
        ? "sent"
        : outcome.kind === "error" && outcome.error._tag === "VoicePartnerApiError"
          ? "refused"
          : "unknown",
    status: outcomeAnswer(outcome).status,
    campaignId: result.kind === "sent" ? result.campaignId : undefined,
    cost: result.kind === "sent" ? result.cost : undefined,
    currency: result.kind === "sent" ? result.currency : undefined,
    scheduledDate: undefined,
    error: result.kind === "sent" ? undefined : result.message,
  }
}

/** The ledger's record of a chunk found in flight when its object started: unknown. */
export const unknownSendRecord = (base: {
  readonly sendId: string
  readonly endpoint: "tts/send" | "campaign/send"
  readonly createdAt: number
  readonly recipients: number
}): SendRecord => ({
  ...base,
  outcome: "unknown",
  status: 502,
  campaignId: undefined,
  cost: undefined,
  currency: undefined,
  scheduledDate: undefined,
  error:
    "the gateway restarted while this request was in flight; it may have been sent (its callbacks tell)",
})
