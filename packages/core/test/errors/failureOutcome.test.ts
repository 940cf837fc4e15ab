import { describe, expect, it } from "vitest"
import { DecodeError } from "../../src/errors/DecodeError.js"
import { nothingWasSent, willNotImprove } from "../../src/errors/failureOutcome.js"
import { RateLimitedError } from "../../src/errors/RateLimitedError.js"
import { TransportError } from "../../src/errors/TransportError.js"
import { type ApiErrorReason, VoicePartnerApiError } from "../../src/errors/VoicePartnerApiError.js"

const api = (reason: ApiErrorReason, endpoint: "tts/send" | "campaign/send" = "campaign/send") =>
  new VoicePartnerApiError({ reason, endpoint, status: 400, detail: "x" })
const transport = (reason: TransportError["reason"]) =>
  new TransportError({ reason, endpoint: "tts/send", detail: "x" })

describe("what a failure says about the send", () => {
  it.each([
    [
      "a quota refusal",
      new RateLimitedError({
        reason: "QuotaExhausted",
        endpoint: "tts/send",
        retryAfterMs: 1,
      }),
      true,
    ],
    ["a refused connection", transport("ConnectFailed"), true],
    ["a timeout", transport("Timeout"), false],
    ["a dropped connection", transport("ConnectionDropped"), false],
    [
      "an unreadable 2xx",
      new DecodeError({
        reason: "NotJson",
        endpoint: "tts/send",
        status: 200,
        detail: "x",
      }),
      false,
    ],
    ["an upstream refusal", api("InvalidRequest"), true],
    ["no credit", api("InsufficientCredit"), true],
    ["a 503", api("ServiceUnavailable"), true],
    ["a 500", api("ServerError"), false],
    ["an unknown answer", api("Unknown"), false],
  ])("%s: nothing sent = %s", (_name, failure, expected) => {
    expect(nothingWasSent(failure)).toBe(expected)
  })

  it.each([
    ["no credit", api("InsufficientCredit"), true],
    ["a wrong key", api("Unauthorized"), true],
    ["an IP not allowed", api("IpNotAllowed"), true],
    ["a sender not authorised", api("SenderNotAuthorized"), true],
    ["an unknown audio file", api("NotFound", "campaign/send"), true],
    ["a bad request", api("InvalidRequest"), false],
    ["a 503", api("ServiceUnavailable"), false],
    ["a timeout", transport("Timeout"), false],
  ])("%s: will not improve = %s", (_name, failure, expected) => {
    expect(willNotImprove(failure)).toBe(expected)
  })
})
