import { describe, expect, it } from "vitest"
import { nothingWasSent } from "../../src/errors/failureOutcome.js"
import { classifyAnswer } from "../../src/internal/http/classifyAnswer.js"

const options = { retryAfterMs: undefined, textOnFailure: "raw", sanitize: (t: string) => t }
const gatewayError = (status: number, code: string, message: string) =>
  classifyAnswer("tts/send", status, { success: false, error: { code, message } }, options)

describe("answers of the gateway (a client talking to it, like the CLI)", () => {
  it("read the nested error's code and message, not the raw JSON", () => {
    const error = gatewayError(400, "VALIDATION_ERROR", "phoneNumbers: has 501 numbers")
    expect(error).toMatchObject({ reason: "InvalidRequest", code: "VALIDATION_ERROR" })
    expect(error?._tag === "VoicePartnerApiError" && error.detail).toBe(
      "phoneNumbers: has 501 numbers",
    )
  })

  it.each([
    [401, "UNAUTHORIZED", "Unauthorized", true],
    [404, "NOT_FOUND", "NotFound", true],
    [429, "RATE_LIMITED", "RateLimited", true],
    [503, "GATEWAY_UNAVAILABLE", "ServiceUnavailable", true],
    [502, "UPSTREAM_UNREACHABLE", "ServiceUnavailable", true],
    [502, "UPSTREAM_OUTCOME_UNKNOWN", "ServerError", false],
    [504, "UPSTREAM_TIMEOUT", "ServerError", false],
  ])("%i %s is %s (nothing sent: %s)", (status, code, reason, notSent) => {
    const error = gatewayError(status, code, "…")
    expect(error?._tag === "VoicePartnerApiError" && error.reason).toBe(reason)
    expect(error !== undefined && nothingWasSent(error)).toBe(notSent)
  })

  it("keeps the provider's top-level code first (drop-in answers carry both)", () => {
    const error = classifyAnswer(
      "campaign/send",
      402,
      {
        success: false,
        code: "NOT_CREDIT",
        message: "no credit",
        error: { code: "NOT_CREDIT", message: "x" },
      },
      options,
    )
    expect(error).toMatchObject({ reason: "InsufficientCredit", code: "NOT_CREDIT" })
  })
})
