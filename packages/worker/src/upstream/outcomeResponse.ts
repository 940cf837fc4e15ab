import { nothingWasSent } from "@voicepartner/core/errors/failureOutcome"
import type { CallError } from "@voicepartner/core/transport"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import { withoutCallbackUrls } from "../callbacks/redactCallbackUrls.js"
import { type ApiError, apiError } from "../http/apiError.js"
import type { UpstreamOutcome } from "./callUpstream.js"

/** The gateway's answer to an upstream outcome: status and JSON body. */
export interface OutcomeAnswer {
  readonly status: ContentfulStatusCode
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

const retryAfter = (ms: number) => ({ "Retry-After": String(Math.max(1, Math.ceil(ms / 1000))) })

/** What a call error means to the gateway's caller. */
export const callErrorAnswer = (error: CallError): ApiError => {
  switch (error._tag) {
    case "RateLimitedError":
      return apiError(429, "RATE_LIMITED", error.message, {
        headers: retryAfter(error.retryAfterMs),
      })
    case "RateLimiterUnavailable":
      // Overloaded: come back in a while; unreachable (reset, moved): in a second.
      return apiError(
        503,
        "GATEWAY_UNAVAILABLE",
        "the quota service is unavailable; nothing was sent",
        { headers: retryAfter(error.retryAfterMs) },
      )
    case "TransportError":
      return error.reason === "ConnectFailed"
        ? apiError(
            502,
            "UPSTREAM_UNREACHABLE",
            "Voice Partner could not be reached; nothing was sent",
          )
        : error.reason === "Timeout"
          ? apiError(
              504,
              "UPSTREAM_TIMEOUT",
              "Voice Partner did not answer in time; the request may have been processed: check GET /v1/campaigns before sending again",
            )
          : apiError(
              502,
              "UPSTREAM_OUTCOME_UNKNOWN",
              "the connection to Voice Partner dropped; the request may have been processed: check GET /v1/campaigns before sending again",
            )
    case "DecodeError":
      return apiError(502, "UPSTREAM_OUTCOME_UNKNOWN", withoutCallbackUrls(error.message))
    case "VoicePartnerApiError": {
      if (error.reason === "Unauthorized")
        return apiError(
          502,
          "UPSTREAM_REJECTED_GATEWAY_KEY",
          "Voice Partner refused the gateway's API key: the operator must check VOICEPARTNER_API_KEY",
        )
      const code = error.code ?? error.reason
      const status = (
        error.status >= 400 && error.status <= 599 ? error.status : 400
      ) as ContentfulStatusCode
      return {
        status,
        // The provider may quote the notifyUrl it was given: a minted URL is a credential.
        body: { success: false, code, error: { code, message: withoutCallbackUrls(error.detail) } },
        ...(error.retryAfterMs !== undefined && { headers: retryAfter(error.retryAfterMs) }),
      }
    }
  }
}

/**
 * Whether an outcome proves that nothing went out: then an idempotency key is released
 * (the client may try again with it) instead of pinning the answer for replays.
 */
export const certainlyNotSent = (outcome: UpstreamOutcome): boolean => {
  if (outcome.kind === "unavailable" || outcome.kind === "abandoned") return true
  // Core's one rule, from the failure's reason: the same as the retry policy's.
  return outcome.kind === "error" && nothingWasSent(outcome.error)
}

/** The answer to give for an upstream outcome: the upstream's own, or a mapped error. */
export const outcomeAnswer = (outcome: UpstreamOutcome): OutcomeAnswer => {
  switch (outcome.kind) {
    case "answer":
      return {
        status: outcome.answer.status as ContentfulStatusCode,
        body: outcome.answer.json ?? { success: true },
      }
    case "error":
      return callErrorAnswer(outcome.error)
    case "abandoned":
      // Nobody reads this answer: the caller closed its connection while waiting.
      return apiError(
        499 as ContentfulStatusCode,
        "CLIENT_CLOSED_REQUEST",
        "the caller left before its slot; nothing was sent",
      )
    case "unavailable":
      return apiError(
        503,
        "GATEWAY_UNAVAILABLE",
        "the quota service is unavailable; nothing was sent",
        {
          headers: { "Retry-After": "1" },
        },
      )
  }
}
