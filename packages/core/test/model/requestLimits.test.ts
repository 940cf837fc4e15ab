import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { validateCampaignSend } from "../../src/model/CampaignSendRequest.js"
import { MAX_NUMBERS_PER_REQUEST } from "../../src/model/limits.js"
import { validateTtsSend } from "../../src/model/TtsSendRequest.js"

// What can be judged before any IO must be refused before any IO: a single request the
// upstream would refuse anyway must not take a rate-limit slot shared with others.
const now = Date.UTC(2026, 11, 1, 12)
const numbers = (n: number) =>
  Array.from({ length: n }, (_, i) => `06${String(10_000_000 + i).padStart(8, "0")}`)
const drop = (phoneNumbers: ReadonlyArray<string>) => ({
  phoneNumbers,
  tokenAudio: "dev-audio",
  emailForNotification: "ops@example.com",
})
const issues = (
  r: Result.Result<unknown, { issues: ReadonlyArray<{ field: string; message: string }> }>,
) => (Result.isFailure(r) ? r.failure.issues : [])

describe("single-request limits", () => {
  it("refuses more than 500 distinct numbers in one request, pointing at bulk sends", () => {
    const tts = validateTtsSend({ phoneNumbers: numbers(501), text: "Bonjour" }, { now })
    expect(issues(tts)).toEqual([
      expect.objectContaining({
        field: "phoneNumbers",
        message: expect.stringMatching(/501 .*at most 500/),
      }),
    ])
    const vms = validateCampaignSend(drop(numbers(501)), { now })
    expect(issues(vms)[0]?.field).toBe("phoneNumbers")
  })

  it("accepts exactly 500, and duplicates do not count twice", () => {
    expect(
      Result.isSuccess(validateCampaignSend(drop(numbers(MAX_NUMBERS_PER_REQUEST)), { now })),
    ).toBe(true)
    const withDuplicates = [...numbers(500), ...numbers(20)]
    expect(
      Result.isSuccess(validateTtsSend({ phoneNumbers: withDuplicates, text: "Hi" }, { now })),
    ).toBe(true)
  })

  it("lifts the limit when the caller splits the list itself", () => {
    const r = validateTtsSend(
      { phoneNumbers: numbers(1_200), text: "Hi" },
      { now, maxRecipients: Number.POSITIVE_INFINITY },
    )
    expect(Result.isSuccess(r)).toBe(true)
  })
})

describe("text that reads nothing", () => {
  it("refuses text: null like a missing text", () => {
    const r = validateTtsSend({ phoneNumbers: "0612345678", text: null } as never, { now })
    expect(issues(r)).toEqual([expect.objectContaining({ field: "text" })])
  })

  it.each([
    ["empty", ""],
    ["blank", "   \n\t"],
    ["zero-width only", "\u200b\u200c\u200d\u2060\ufeff"],
    ["soft hyphens and spaces", "\u00ad \u00ad"],
    ["pauses only", ",,,, ,,"],
  ])("refuses %s text", (_name, text) => {
    const r = validateTtsSend({ phoneNumbers: "0612345678", text }, { now })
    expect(issues(r)).toEqual([expect.objectContaining({ field: "text" })])
  })

  it("refuses an invisible-only audio token or e-mail", () => {
    const r = validateCampaignSend({ ...drop(["0612345678"]), tokenAudio: "\u200b" }, { now })
    expect(issues(r).map((i) => i.field)).toEqual(["tokenAudio"])
  })

  it("keeps a real text with pauses as it is", () => {
    const r = validateTtsSend({ phoneNumbers: "0612345678", text: "un ,,,, deux" }, { now })
    expect(Result.isSuccess(r) && r.success.request.text).toBe("un ,,,, deux")
  })
})

describe("schedule horizon", () => {
  it("refuses a scheduledDate past the caller's horizon, naming the field", () => {
    const latest = now + 30 * 86_400_000
    const r = validateTtsSend(
      { phoneNumbers: "0612345678", text: "Hi", scheduledDate: new Date(latest + 3_600_000) },
      { now, latestSchedule: latest },
    )
    expect(issues(r)).toEqual([
      expect.objectContaining({
        field: "scheduledDate",
        message: expect.stringMatching(/at most 30 days ahead/),
      }),
    ])
    const ok = validateTtsSend(
      { phoneNumbers: "0612345678", text: "Hi", scheduledDate: new Date(latest - 3_600_000) },
      { now, latestSchedule: latest },
    )
    expect(Result.isSuccess(ok)).toBe(true)
  })
})

describe("bounded messages", () => {
  it("quotes at most a short prefix of a huge invalid entry", () => {
    const huge = "x".repeat(200_000)
    const r = validateTtsSend({ phoneNumbers: [huge], text: "Hi" }, { now })
    const [issue] = issues(r)
    expect(issue?.message.length).toBeLessThan(200)
    expect(Result.isFailure(r) && r.failure.message.length).toBeLessThan(300)
  })
})
