// What Voice Partner accepts, core accepts too: the spellings of the provider's own samples
// (a numeric string for `speechRate`, `speed`, `text` beside `tokenAudio`) are read, and
// what was changed is said in a warning, never refused with a 400 the provider would not give.
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { ValidationIssue } from "../../src/errors/ValidationError.js"
import { validateCampaignSend } from "../../src/model/CampaignSendRequest.js"
import { upstreamErrorCode } from "../../src/model/fieldChecks.js"
import { encodeTtsSend, validateTtsSend } from "../../src/model/TtsSendRequest.js"

const now = Date.UTC(2026, 0, 15, 12)

const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`unexpected failure: ${String(r.failure)}`)
  return r.success
}
const issues = <A>(r: Result.Result<A, { readonly issues: ReadonlyArray<ValidationIssue> }>) => {
  if (Result.isSuccess(r)) throw new Error("unexpected success")
  return r.failure.issues
}
const warned = (v: { readonly warnings: ReadonlyArray<{ field: string; message: string }> }) =>
  v.warnings.map((w) => [w.field, w.message])

describe("speechRate as the provider's samples write it", () => {
  it('reads a numeric string ("1", as in the Java sample) as the number, with a warning', () => {
    const v = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: "a", speechRate: "1" } as never, {
        now,
      }),
    )
    expect(v.request.speechRate).toBe(1)
    expect(encodeTtsSend(v.request).speechRate).toBe(1)
    expect(warned(v)).toEqual([["speechRate", '"1" (a string) was read as the number 1']])
    const spaced = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: "a", speechRate: " 1.5 " } as never, {
        now,
      }),
    )
    expect(spaced.request.speechRate).toBe(1.5)
  })

  it("clamps a numeric string like a number", () => {
    const v = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: "a", speechRate: "3" } as never, {
        now,
      }),
    )
    expect(v.request.speechRate).toBe(2)
    expect(warned(v)).toEqual([
      ["speechRate", '"3" (a string) was read as the number 3'],
      ["speechRate", "3 is outside 0.5-2 and was clamped to 2"],
    ])
  })

  it("still refuses what is not a number", () => {
    for (const speechRate of ["fast", "", "1,5", "0x1", true, {}])
      expect(
        issues(
          validateTtsSend({ phoneNumbers: "0612345678", text: "a", speechRate } as never, { now }),
        ).map((i) => i.field),
      ).toEqual(["speechRate"])
  })

  it("reads `speed` (the samples' spelling) as speechRate", () => {
    const v = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: "a", speed: "1" } as never, { now }),
    )
    expect(v.request.speechRate).toBe(1)
    expect(warned(v)).toEqual([
      ["speed", "was read as speechRate, the name Voice Partner documents"],
      ["speed", '"1" (a string) was read as the number 1'],
    ])
    const numeric = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: "a", speed: 0.8 } as never, { now }),
    )
    expect(numeric.request.speechRate).toBe(0.8)
  })

  it("speechRate wins over speed, and says so", () => {
    const v = ok(
      validateTtsSend(
        { phoneNumbers: "0612345678", text: "a", speechRate: 1.2, speed: "2" },
        {
          now,
        },
      ),
    )
    expect(v.request.speechRate).toBe(1.2)
    expect(warned(v)).toEqual([["speed", "was ignored: speechRate is given"]])
  })

  it("null is no rate (JSON callers send it for an absent field)", () => {
    const v = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: "a", speechRate: null } as never, {
        now,
      }),
    )
    expect(v.request.speechRate).toBeUndefined()
    expect(v.warnings).toEqual([])
  })
})

describe("text beside tokenAudio", () => {
  it("the audio file wins and the text is dropped, with a warning (Voice Partner ignores it)", () => {
    const v = ok(
      validateTtsSend(
        { phoneNumbers: "0612345678", text: "Bonjour", tokenAudio: " tok " },
        { now },
      ),
    )
    expect(encodeTtsSend(v.request)).toEqual({
      phoneNumbers: "+33612345678",
      tokenAudio: "tok",
      lang: "fr",
    })
    expect(warned(v)).toEqual([
      ["text", "was ignored: tokenAudio is given, and Voice Partner plays the audio file"],
    ])
  })

  it("a text that could not be read does not matter beside an audio file", () => {
    const v = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: ",,,", tokenAudio: "tok" }, { now }),
    )
    expect(v.request.text).toBeUndefined()
    expect(v.request.tokenAudio).toBe("tok")
  })

  it("an empty tokenAudio is still refused, text or not", () => {
    expect(
      issues(
        validateTtsSend({ phoneNumbers: "0612345678", text: "Bonjour", tokenAudio: "" }, { now }),
      ).map((i) => i.field),
    ).toEqual(["tokenAudio"])
  })
})

describe("upstreamErrorCode: the code Voice Partner answers for the same problem", () => {
  const first = (r: Parameters<typeof issues>[0]) => upstreamErrorCode(issues(r))

  it("phone numbers: required, more than 500, an invalid destination", () => {
    expect(first(validateTtsSend({ phoneNumbers: "", text: "a" }, { now }))).toBe(
      "PHONE_NUMBER_REQUIRED",
    )
    expect(first(validateTtsSend({ text: "a" } as never, { now }))).toBe("PHONE_NUMBER_REQUIRED")
    const many = Array.from({ length: 501 }, (_, i) => `06${String(i).padStart(8, "0")}`)
    expect(first(validateTtsSend({ phoneNumbers: many, text: "a" }, { now }))).toBe(
      "PHONE_NUMBER_SIZE_ERROR",
    )
    // The provider counts before it reads each number: the size wins over a bad entry.
    expect(first(validateTtsSend({ phoneNumbers: [...many, "12"], text: "a" }, { now }))).toBe(
      "PHONE_NUMBER_SIZE_ERROR",
    )
    expect(first(validateTtsSend({ phoneNumbers: "06xxxxxxxx", text: "a" }, { now }))).toBe(
      "DESTINATION_INVALID",
    )
  })

  it("the other documented codes, and the rest by field", () => {
    const drop = { phoneNumbers: "0612345678", emailForNotification: "ops@example.com" }
    expect(first(validateCampaignSend(drop as never, { now }))).toBe("TOKEN_AUDIO_REQUIRED")
    expect(
      first(validateCampaignSend({ ...drop, tokenAudio: "t", notifyUrl: "ftp://x" }, { now })),
    ).toBe("NOTIFY_URL_INVALID")
    expect(first(validateCampaignSend({ ...drop, tokenAudio: "t", sender: "12" }, { now }))).toBe(
      "SENDER_INVALID",
    )
    expect(
      first(validateCampaignSend({ ...drop, tokenAudio: "t", emailForNotification: "" }, { now })),
    ).toBe("EMAIL_INVALID")
    expect(first(validateTtsSend({ phoneNumbers: "0612345678" }, { now }))).toBe("TEXT_REQUIRED")
    expect(
      first(
        validateTtsSend(
          { phoneNumbers: "0612345678", text: "a", scheduledDate: "2020-01-01 10:00" },
          { now },
        ),
      ),
    ).toBe("SCHEDULED_DATE_INVALID")
    expect(
      first(validateTtsSend({ phoneNumbers: "0612345678", text: "a", lang: "fr-FR" }, { now })),
    ).toBeUndefined()
  })

  it("reads issues as a gateway's answer lists them (field, message, index)", () => {
    expect(
      upstreamErrorCode([{ field: "phoneNumbers", message: '"12" is too short', index: 0 }]),
    ).toBe("DESTINATION_INVALID")
    expect(upstreamErrorCode([new ValidationIssue({ field: "notifyUrl", message: "x" })])).toBe(
      "NOTIFY_URL_INVALID",
    )
    expect(upstreamErrorCode([])).toBeUndefined()
  })
})
