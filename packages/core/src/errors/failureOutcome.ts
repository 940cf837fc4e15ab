import type { DecodeError } from "./DecodeError.js"
import type { RateLimitedError } from "./RateLimitedError.js"
import type { RateLimiterUnavailable } from "./RateLimiterUnavailable.js"
import type { TransportError } from "./TransportError.js"
import type { VoicePartnerApiError } from "./VoicePartnerApiError.js"

/** A failed upstream call, whichever family. */
export type CallFailure =
  | VoicePartnerApiError
  | TransportError
  | DecodeError
  | RateLimitedError
  | RateLimiterUnavailable

/**
 * Whether a failure proves that nothing went out, read from its reason alone: the
 * limiter refused or could not decide (no slot, no request), the connection was refused (nothing reached the
 * upstream), or the upstream answered that it refused the request. A timeout, a dropped
 * connection, a 5xx other than 503 or a 2xx that could not be read may hide a send. The
 * retry policy, the gateway's `Idempotency-Key` release and its ledger all ask this.
 *
 * @example
 * ```ts
 * import { TransportError } from "@voicepartner/core/errors/TransportError"
 * const dropped = new TransportError({ reason: "ConnectionDropped", endpoint: "tts/send", detail: "socket hang up" })
 * nothingWasSent(dropped) // false: the request may have been processed
 * ```
 */
export const nothingWasSent = (failure: CallFailure): boolean => {
  switch (failure._tag) {
    case "RateLimitedError":
    case "RateLimiterUnavailable":
      return true
    case "TransportError":
      return failure.reason === "ConnectFailed"
    case "DecodeError":
      return false
    case "VoicePartnerApiError":
      return failure.reason !== "ServerError" && failure.reason !== "Unknown"
  }
}

/**
 * Whether a failure will happen again for every later request of the same campaign, so a
 * bulk send (or a broadcast) must stop instead of trying its other chunks: no credit,
 * a wrong key or an address not allowed, an unknown audio file, a sender not authorised.
 *
 * @example
 * ```ts
 * import { VoicePartnerApiError } from "@voicepartner/core/errors/VoicePartnerApiError"
 * const noCredit = new VoicePartnerApiError({
 *   reason: "InsufficientCredit",
 *   endpoint: "tts/send",
 *   status: 402,
 *   code: "NOT_CREDIT",
 *   detail: "Not enough credit",
 * })
 * willNotImprove(noCredit) // true: every later chunk would be refused the same way
 * ```
 */
export const willNotImprove = (failure: CallFailure): boolean =>
  failure._tag === "VoicePartnerApiError" &&
  (failure.reason === "InsufficientCredit" ||
    failure.reason === "Unauthorized" ||
    failure.reason === "IpNotAllowed" ||
    failure.reason === "SenderNotAuthorized" ||
    (failure.reason === "NotFound" && failure.endpoint === "campaign/send"))
