import { createEmulator, ManualClock } from "@voicepartner/emulator"
import { describe, expect, it } from "vitest"
import { createClient } from "../../src/promise/createClient.js"

/** Our client against the independent emulator, in-process: they must agree on the API. */
const setup = () => {
  const emulator = createEmulator({ clock: new ManualClock(Date.now()), rateLimits: false })
  const voice = createClient({
    apiKey: "dev-key",
    baseUrl: "http://emulator/v1",
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
  })
  return { emulator, voice }
}

describe("core against the emulator", () => {
  it("performs every operation end to end", async () => {
    const { emulator, voice } = setup()
    const tts = await voice.sendTts({
      phoneNumbers: ["06 12 34 56 78", "+33 (0)6 12 34 56 78"],
      text: "Bonjour ,, à demain",
    })
    expect(tts.nbSms).toBe(1)
    expect(tts.campaignId).toMatch(/^NDA_/)
    const drop = await voice.sendCampaign({
      phoneNumbers: "0612345678; 01 44 55 66 77",
      tokenAudio: "dev-audio",
      emailForNotification: "ops@example.com",
      scheduledDate: new Date(Date.now() + 3_600_000),
    })
    expect(drop.cost).toBeCloseTo(0.12)
    const credits = await voice.credits()
    expect(credits.credit).toBeCloseTo(100 - 0.09 - 0.12)
    const audios = await voice.listAudios()
    expect(audios.datas[0]?.token).toBe("dev-audio")
    expect(
      (await voice.renameAudio({ tokenAudio: "dev-audio", filename: "Rappel RDV" })).filename,
    ).toBe("Rappel RDV")
    const cancelled = await voice.cancelCampaign({ campaignId: String(drop.campaignId) })
    expect(cancelled.assignedCredit).toBeCloseTo(0.12)
    const bodies = emulator.requests().map((r) => r.body)
    expect(bodies[0]).toEqual({
      phoneNumbers: "+33612345678",
      text: "Bonjour ,, à demain",
      lang: "fr",
    })
    await voice.close()
  })

  it("surfaces the provider's refusals as typed errors without the key", async () => {
    const { voice } = setup()
    const error = await voice
      .sendCampaign({
        phoneNumbers: "0612345678",
        tokenAudio: "unknown",
        emailForNotification: "ops@example.com",
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      _tag: "VoicePartnerApiError",
      reason: "NotFound",
      code: "AUDIO_FILE_NOT_FOUND",
      status: 404,
      retryable: false,
    })
    expect(JSON.stringify(error)).not.toContain("dev-key")
    await voice.close()
  })

  it("sends a 1,200-recipient voicemail drop in three chunks", async () => {
    const { emulator, voice } = setup()
    const numbers = Array.from({ length: 1_200 }, (_, i) => `07${String(30_000_000 + i)}`)
    const summary = await voice.sendCampaignBulk({
      phoneNumbers: numbers,
      tokenAudio: "dev-audio",
      emailForNotification: "ops@example.com",
    })
    expect(summary.requests).toBe(3)
    expect(summary.numbersSent).toBe(1_200)
    expect(emulator.requests().filter((r) => r.endpoint === "campaign/send").length).toBe(3)
    await voice.close()
  })

  it("never sends twice: a connection dropped after the send is reported, not retried", async () => {
    const { emulator, voice } = setup()
    emulator.setFaults({ dropAfterRate: 1 })
    const error = await voice
      .sendTts({ phoneNumbers: "0612345678", text: "Bonjour" })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      _tag: "TransportError",
      reason: "ConnectionDropped",
      retryable: false,
    })
    expect(Object.keys(emulator.snapshot().campaigns)).toHaveLength(1)
    expect(emulator.requests().filter((r) => r.endpoint === "tts/send")).toHaveLength(1)
    await voice.close()
  })

  it("retries a 503 (nothing was sent) and sends exactly once", async () => {
    const emulator = createEmulator({ clock: new ManualClock(Date.now()), rateLimits: false })
    const voice = createClient({
      apiKey: "dev-key",
      baseUrl: "http://emulator/v1",
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      fetch: (input, init) => emulator.fetch(new Request(input, init)),
    })
    emulator.setFaults({ failSends: [1], failStatus: 503 })
    const sent = await voice.sendTts({ phoneNumbers: "0612345678", text: "Bonjour" })
    expect(sent.campaignId).toMatch(/^NDA_/)
    expect(emulator.requests().map((r) => r.status)).toEqual([503, 200])
    expect(Object.keys(emulator.snapshot().campaigns)).toHaveLength(1)
    await voice.close()
  })
})
