import * as Result from "effect/Result"
import type * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import {
  AudioListResponse,
  CampaignSendResponse,
  CancelCampaignResponse,
  CreditsResponse,
  decodeTolerant,
  RenameAudioResponse,
  TtsCallback,
  TtsSendResponse,
  UpstreamErrorBody,
  VmsCallback,
} from "../../src/model/responses.js"

const decoded = <S extends Schema.Decoder<unknown>>(schema: S, json: unknown) => {
  const r = decodeTolerant(schema, json)
  if (Result.isFailure(r)) throw new Error(r.failure)
  return r.success
}

describe("tolerant response decoding", () => {
  it("reads a voice SMS success, numbers as strings included, unknown fields kept", () => {
    const r = decoded(TtsSendResponse, {
      success: true,
      campaignId: "NDA_1",
      cost: "0.07",
      currency: "EUR",
      nbSms: 1,
      lang: "fr",
      duration: "4",
      detail: {
        "33": { nbSms: "1", cost_unity: 0.07, cost: "0.07", country_code: "fr", duration: 4 },
      },
      newField: { x: 1 },
    })
    expect(r).toMatchObject({
      campaignId: "NDA_1",
      cost: 0.07,
      nbSms: 1,
      duration: 4,
      newField: { x: 1 },
    })
    expect(r.detail?.["33"]).toMatchObject({ nbSms: 1, cost: 0.07, country_code: "fr" })
  })

  it("reads a voicemail drop success", () => {
    const r = decoded(CampaignSendResponse, {
      success: true,
      campaignId: 12345,
      cost: 0.5,
      currency: "EUR",
      nbSms: "2",
      audioFile: { filename: "rappel.mp3", size: "135.8Ko" },
      detail: { "33": { nbSms: 2, cost_unity: 0.25, cost: 0.5 } },
    })
    expect(r).toMatchObject({ campaignId: 12345, nbSms: 2, audioFile: { size: "135.8Ko" } })
  })

  it("reads credits with credit as a string, audio lists without success, rename and cancel", () => {
    expect(
      decoded(CreditsResponse, {
        success: true,
        credit: "19",
        currency: "€",
        details: { tts: { h: 0, m: 3, s: 0 }, voice: { message: 12 } },
      }),
    ).toMatchObject({ credit: 19, currency: "€", details: { voice: { message: 12 } } })
    const list = decoded(AudioListResponse, {
      nb_datas: 1,
      datas: [
        {
          name: "rappel",
          token: "tok",
          size: "104.5Ko",
          duration: "0:07",
          created_at: {
            date: "2018-04-16 13:26:46.000000",
            timezone_type: 3,
            timezone: "Europe/Paris",
          },
        },
      ],
    })
    expect(list.datas[0]).toMatchObject({ name: "rappel", token: "tok" })
    expect(
      decoded(RenameAudioResponse, { success: true, filename: "abc", tokenAudio: "t" }),
    ).toMatchObject({ filename: "abc" })
    expect(
      decoded(CancelCampaignResponse, {
        success: true,
        campaignId: "NDA_1",
        assignedCredit: "1.8",
        currency: "EUR",
      }),
    ).toMatchObject({ assignedCredit: 1.8 })
  })

  it("accepts every known upstream error shape", () => {
    const shapes = [
      { success: false, code: "PHONE_NUMBER_REQUIRED", message: "Phone number required" },
      { success: false, code: 10, error: "Wrong API key" },
      { success: false, code: "11", errors: [{ elementId: "phoneNumbers", message: "bad" }] },
      { success: false, error: { code: 90, message: "malformed" } },
      { success: false },
    ]
    for (const body of shapes)
      expect(Result.isSuccess(decodeTolerant(UpstreamErrorBody, body))).toBe(true)
  })

  it("explains what did not match", () => {
    const r = decodeTolerant(CreditsResponse, { credit: "lots" })
    expect(Result.isFailure(r)).toBe(true)
    if (Result.isFailure(r)) expect(r.failure).toContain("credit")
    expect(Result.isFailure(decodeTolerant(TtsSendResponse, "<html>"))).toBe(true)
  })
})

describe("callback payloads", () => {
  it("reads a voice SMS status POST", () => {
    const r = decoded(TtsCallback, {
      campaignId: "NDA_1",
      status: "delivered",
      additionnal_status: "VOICE_ANSWERED",
      phoneNumber: "0033612345678",
      sendAt: "2026-04-10 14:15:00",
      doneAt: "2026-04-10 14:16:02",
      duration: "12",
      audioFileComplementaire: { status: "Deposit" },
    })
    expect(r).toMatchObject({ status: "delivered", duration: 12, phoneNumber: "0033612345678" })
  })

  it("reads a voicemail drop GET query (all strings)", () => {
    const r = decoded(VmsCallback, {
      campaign_token: "abc",
      campaign_id: "NDA_20230111_00811",
      delivered_quantity: "498",
      total_quantity: "500",
    })
    expect(r).toMatchObject({
      campaign_id: "NDA_20230111_00811",
      delivered_quantity: 498,
      total_quantity: 500,
    })
  })
})
