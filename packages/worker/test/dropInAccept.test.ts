// What Voice Partner accepts, the gateway accepts: the spellings of the provider's own
// samples get a 200, with what was changed in `warnings`, and the upstream gets the
// canonical body.
import { describe, expect, it } from "vitest"
import { answer, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const sendTts = async (body: Record<string, unknown>) => {
  const sent = await answer(
    await gateway("/v1/tts/send", { json: { apiKey: TOKENS.alpha, ...body } }),
  )
  const upstream = h.upstream.requests().at(-1)?.body as Record<string, unknown> | undefined
  return { ...sent, upstream }
}

describe("the provider's spellings are accepted, and what changed is said", () => {
  it('speechRate "1" (the Java sample) is sent as the number 1', async () => {
    const sent = await sendTts({ phoneNumbers: "0612345678", text: "Bonjour", speechRate: "1" })
    expect(sent.status).toBe(200)
    expect(sent.json.success).toBe(true)
    expect(sent.upstream?.speechRate).toBe(1)
    expect(sent.json.warnings).toEqual([
      { field: "speechRate", message: '"1" (a string) was read as the number 1' },
    ])
  })

  it('speed "1" (the PHP, Python and cURL samples) is sent as speechRate', async () => {
    const sent = await sendTts({ phoneNumbers: "0612345678", text: "Bonjour", speed: "1.5" })
    expect(sent.status).toBe(200)
    expect(sent.upstream).toMatchObject({ speechRate: 1.5 })
    expect(sent.upstream).not.toHaveProperty("speed")
    expect(sent.json.warnings).toEqual([
      { field: "speed", message: "was read as speechRate, the name Voice Partner documents" },
      { field: "speed", message: '"1.5" (a string) was read as the number 1.5' },
    ])
  })

  it("text with tokenAudio: the audio file wins, the text is not sent", async () => {
    const sent = await sendTts({
      phoneNumbers: "0612345678",
      text: "Mon premier test",
      tokenAudio: "dev-audio",
    })
    expect(sent.status).toBe(200)
    expect(sent.upstream).toMatchObject({ tokenAudio: "dev-audio" })
    expect(sent.upstream).not.toHaveProperty("text")
    expect(sent.json.warnings).toEqual([
      {
        field: "text",
        message: "was ignored: tokenAudio is given, and Voice Partner plays the audio file",
      },
    ])
  })

  it("the same for Bearer clients (core's validation is the gateway's)", async () => {
    const sent = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: { phoneNumbers: "0612345678", text: "Bonjour", speechRate: "0.8" },
      }),
    )
    expect(sent.status).toBe(200)
    expect(h.upstream.requests().at(-1)?.body).toMatchObject({ speechRate: 0.8 })
  })
})
