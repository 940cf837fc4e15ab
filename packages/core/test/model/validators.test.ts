import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { ValidationError, ValidationIssue } from "../../src/errors/ValidationError.js"
import { encodeCampaignSend, validateCampaignSend } from "../../src/model/CampaignSendRequest.js"
import { validateCancelCampaign } from "../../src/model/CancelCampaignRequest.js"
import { validateRenameAudio } from "../../src/model/RenameAudioRequest.js"
import { encodeTtsSend, TtsSendRequest, validateTtsSend } from "../../src/model/TtsSendRequest.js"

const now = Date.UTC(2026, 0, 15, 12)
const SECRET = "sk-live-7f3a9c0d-SECRET"

const ok = <A>(r: Result.Result<A, ValidationError>): A => {
  if (Result.isFailure(r)) throw new Error(`unexpected failure: ${r.failure.message}`)
  return r.success
}
const err = <A>(r: Result.Result<A, ValidationError>): ValidationError => {
  if (Result.isSuccess(r)) throw new Error("unexpected success")
  return r.failure
}
const fields = (e: ValidationError): Array<string> => e.issues.map((i) => i.field)

describe("validateTtsSend", () => {
  it("normalises recipients, defaults lang to fr and renders the schedule", () => {
    const v = ok(
      validateTtsSend(
        {
          phoneNumbers: "06 12 34 56 78; +33612345678, 01 44 55 66 77",
          text: "Bonjour ,, à demain",
          scheduledDate: "2026-04-10T14:15",
          notifyUrl: "https://hooks.example.com/vp",
        },
        { now },
      ),
    )
    expect(v.request.phoneNumbers).toEqual(["+33612345678", "+33144556677"])
    expect(v.request.lang).toBe("fr")
    expect(v.request.scheduledDate).toBe("2026-04-10 14:15:00")
    expect(v.recipients?.duplicates).toHaveLength(1)
    expect(v.recipients?.counts).toEqual({ mobile: 1, landline: 1, other: 0 })
    // What was changed is said: the duplicate removed (a voice SMS rings landlines anyway).
    expect(v.warnings.map((w) => [w.field, w.message])).toEqual([
      ["phoneNumbers", "1 duplicate removed"],
    ])
  })

  it("says which numbers were read on a guess (a spreadsheet ate the leading 0)", () => {
    const v = ok(
      validateTtsSend({ phoneNumbers: ["612345678", "0612345679"], text: "Hi" }, { now }),
    )
    expect(v.request.phoneNumbers).toEqual(["+33612345678", "+33612345679"])
    expect(v.warnings).toHaveLength(1)
    expect(v.warnings[0]?.message).toMatch(/^"612345678" /)
  })

  it("encodes the canonical upstream body, optionals omitted", () => {
    const v = ok(
      validateTtsSend({ phoneNumbers: ["0612345678", "0781234567"], text: "Hi" }, { now }),
    )
    expect(encodeTtsSend(v.request)).toEqual({
      phoneNumbers: "+33612345678,+33781234567",
      text: "Hi",
      lang: "fr",
    })
    const full = ok(
      validateTtsSend(
        {
          phoneNumbers: "0612345678",
          tokenAudio: " tok ",
          lang: "EN",
          speechRate: 1.5,
          notifyUrl: "https://x.example/cb",
          scheduledDate: new Date(Date.UTC(2026, 6, 14, 8)),
        },
        { now },
      ),
    )
    expect(encodeTtsSend(full.request)).toEqual({
      phoneNumbers: "+33612345678",
      tokenAudio: "tok",
      lang: "en",
      speechRate: 1.5,
      notifyUrl: "https://x.example/cb",
      scheduledDate: "2026-07-14 10:00:00",
    })
  })

  it("can be re-targeted at a chunk of recipients", () => {
    const v = ok(validateTtsSend({ phoneNumbers: "0612345678", text: "Hi" }, { now }))
    const chunk = new TtsSendRequest({ ...v.request, phoneNumbers: ["+33700000000"] })
    expect(encodeTtsSend(chunk)).toEqual({ phoneNumbers: "+33700000000", text: "Hi", lang: "fr" })
  })

  it("clamps speechRate to 0.5-2 with a warning", () => {
    const fast = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: "a", speechRate: 3 }, { now }),
    )
    expect(fast.request.speechRate).toBe(2)
    expect(fast.warnings).toEqual([
      expect.objectContaining({
        field: "speechRate",
        message: expect.stringContaining("clamped to 2"),
      }),
    ])
    const slow = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: "a", speechRate: 0.1 }, { now }),
    )
    expect(slow.request.speechRate).toBe(0.5)
    expect(
      fields(
        err(
          validateTtsSend(
            { phoneNumbers: "0612345678", text: "a", speechRate: Number.NaN },
            { now },
          ),
        ),
      ),
    ).toEqual(["speechRate"])
  })

  it("wants text or tokenAudio; with both, the audio wins (see providerSpellings.test.ts)", () => {
    const both = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: "a", tokenAudio: "t" }, { now }),
    )
    expect(both.request.text).toBeUndefined()
    expect(both.warnings).toEqual([expect.objectContaining({ field: "text" })])
    const none = err(validateTtsSend({ phoneNumbers: "0612345678" }, { now }))
    expect(none.message).toContain("text")
    expect(none.message).toContain("required")
  })

  it("reports one issue per invalid recipient, with index and input", () => {
    const e = err(
      validateTtsSend({ phoneNumbers: ["0612345678", "12", "abc"], text: "a" }, { now }),
    )
    expect(e.reason).toBe("InvalidRecipients")
    expect(e.issues).toEqual([
      expect.objectContaining({ field: "phoneNumbers", index: 1, input: "12" }),
      expect.objectContaining({ field: "phoneNumbers", index: 2, input: "abc" }),
    ])
    expect(e.message).toMatch(/^phoneNumbers\[1\]: "12" .* \(and 1 more issues\)$/)
  })

  it("skips invalid recipients when asked, still reporting them", () => {
    const v = ok(
      validateTtsSend(
        { phoneNumbers: ["0612345678", "12"], text: "a", onInvalidRecipients: "skip" },
        { now },
      ),
    )
    expect(v.request.phoneNumbers).toEqual(["+33612345678"])
    expect(v.recipients?.invalid).toEqual([expect.objectContaining({ index: 1, input: "12" })])
    const none = err(
      validateTtsSend({ phoneNumbers: ["12"], text: "a", onInvalidRecipients: "skip" }, { now }),
    )
    expect(none.issues).toEqual([
      expect.objectContaining({ field: "phoneNumbers", message: "has no valid phone number" }),
    ])
  })

  it("reports every bad field at once, each named", () => {
    const e = err(
      validateTtsSend(
        {
          phoneNumbers: "",
          text: "a",
          lang: "french",
          notifyUrl: "ftp://x",
          scheduledDate: "2020-01-01 10:00",
        },
        { now },
      ),
    )
    expect(e.reason).toBe("InvalidRequest")
    expect(fields(e)).toEqual(["phoneNumbers", "lang", "notifyUrl", "scheduledDate"])
    expect(
      err(
        validateTtsSend({ phoneNumbers: "0612345678", text: "a", notifyUrl: "/relative" }, { now }),
      ).message,
    ).toContain("notifyUrl: must be an absolute http(s) URL")
  })

  it("refuses wrongly typed fields from untyped callers without throwing", () => {
    const e = err(validateTtsSend({ phoneNumbers: 612345678, text: 5 } as never, { now }))
    expect(fields(e)).toEqual(["phoneNumbers", "text"])
  })
})

describe("validateCampaignSend", () => {
  const base = {
    phoneNumbers: ["0612345678", "0144556677"],
    tokenAudio: "dev-audio",
    emailForNotification: "ops@example.com",
  }

  it("validates, normalises the sender and shows landlines", () => {
    const v = ok(validateCampaignSend({ ...base, sender: "07 81 23 45 67" }, { now }))
    expect(v.request.sender).toBe("+33781234567")
    expect(v.recipients?.counts.landline).toBe(1)
    expect(v.warnings.map((w) => w.message)).toEqual([
      "1 landline will ring: a voicemail drop rings landlines and leaves the message if nobody answers",
    ])
    expect(encodeCampaignSend(v.request)).toEqual({
      phoneNumbers: "+33612345678,+33144556677",
      tokenAudio: "dev-audio",
      emailForNotification: "ops@example.com",
      sender: "+33781234567",
    })
  })

  it("names each missing or bad field", () => {
    const e = err(
      validateCampaignSend(
        {
          phoneNumbers: "0612345678",
          tokenAudio: "",
          emailForNotification: "nope",
          sender: "12",
          notifyUrl: "x",
        } as never,
        { now },
      ),
    )
    expect(fields(e)).toEqual(["tokenAudio", "emailForNotification", "sender", "notifyUrl"])
    expect(e.message).toBe("tokenAudio: is required and must not be empty (and 3 more issues)")
    expect(
      fields(err(validateCampaignSend({ phoneNumbers: "0612345678" } as never, { now }))),
    ).toEqual(["tokenAudio", "emailForNotification"])
  })
})

describe("validateRenameAudio and validateCancelCampaign", () => {
  it("checks the filename length (3 to 50)", () => {
    expect(
      ok(validateRenameAudio({ tokenAudio: "t", filename: " Rappel " })).request.filename,
    ).toBe("Rappel")
    expect(err(validateRenameAudio({ tokenAudio: "t", filename: "ab" })).message).toBe(
      "filename: must be 3 to 50 characters long, got 2",
    )
    expect(fields(err(validateRenameAudio({ tokenAudio: "", filename: "x".repeat(51) })))).toEqual([
      "tokenAudio",
      "filename",
    ])
  })

  it("wants a campaign id safe to put in a URL path", () => {
    expect(
      ok(validateCancelCampaign({ campaignId: "NDA_20230111_00811" })).request.campaignId,
    ).toBe("NDA_20230111_00811")
    expect(fields(err(validateCancelCampaign({ campaignId: "" })))).toEqual(["campaignId"])
    expect(fields(err(validateCancelCampaign({ campaignId: "../me/x" })))).toEqual(["campaignId"])
  })
})

describe("secrets", () => {
  it("never echo an apiKey passed along with the input", () => {
    const inputs: Array<Result.Result<unknown, ValidationError>> = [
      validateTtsSend({ phoneNumbers: "12", apiKey: SECRET } as never, { now }),
      validateCampaignSend({ phoneNumbers: "12", apiKey: SECRET } as never, { now }),
      validateRenameAudio({ tokenAudio: "", filename: "", apiKey: SECRET } as never),
      validateCancelCampaign({ campaignId: "", apiKey: SECRET } as never),
    ]
    for (const r of inputs) {
      const e = err(r)
      expect(e.message).not.toContain(SECRET)
      expect(String(e)).not.toContain(SECRET)
      expect(JSON.stringify(e)).not.toContain(SECRET)
    }
    const v = ok(
      validateTtsSend({ phoneNumbers: "0612345678", text: "a", apiKey: SECRET } as never, { now }),
    )
    expect(JSON.stringify(encodeTtsSend(v.request))).not.toContain(SECRET)
  })
})

describe("ValidationError", () => {
  it("is a tagged error naming the first field and counting the others", () => {
    const e = ValidationError.fromIssues([
      new ValidationIssue({ field: "lang", message: "is bad" }),
      new ValidationIssue({ field: "phoneNumbers", message: "x", index: 3, input: "x" }),
    ])
    expect(e._tag).toBe("ValidationError")
    expect(e.reason).toBe("InvalidRequest")
    expect(e.message).toBe("lang: is bad (and 1 more issues)")
    expect(e).toBeInstanceOf(Error)
  })
})
