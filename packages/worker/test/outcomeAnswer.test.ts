import { VoicePartnerApiError } from "@voicepartner/core/errors/VoicePartnerApiError"
import { describe, expect, it } from "vitest"
import { callErrorAnswer } from "../src/upstream/outcomeResponse.js"

describe("an upstream error that quotes the notifyUrl it was given", () => {
  it("is answered without the minted callback URL (a credential)", () => {
    const minted = "https://gw.example/callbacks/alpha/6f1c/1893456000/-/Zm9vYmFyYmF6"
    const error = new VoicePartnerApiError({
      reason: "InvalidRequest",
      endpoint: "tts/send",
      status: 400,
      code: "NOTIFY_URL_INVALID",
      detail: `notifyUrl ${minted} is invalid (${encodeURIComponent(minted)})`,
    })
    const text = JSON.stringify(callErrorAnswer(error).body)
    expect(text).toContain("NOTIFY_URL_INVALID")
    expect(text).not.toContain("/callbacks/")
    expect(text).not.toContain("Zm9vYmFyYmF6")
  })
})
