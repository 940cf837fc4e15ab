import { describe, expect, it } from "vitest"
import { answer, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

describe("a callback nested 100,000 levels deep", () => {
  it("is a 400 on its own signed URL, nothing stored, never a 500", async () => {
    const sent = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: { phoneNumbers: "0612345678", text: "Bonjour" },
      }),
    )
    expect(sent.status).toBe(200)
    const [request] = h.upstream.requests()
    const notifyUrl = (request?.body as { notifyUrl?: string } | undefined)?.notifyUrl ?? ""
    const deep = `{"campaignId":"${sent.json.campaignId}","status":"delivered","phoneNumber":${"[".repeat(100_000)}1${"]".repeat(100_000)}}`
    const refused = await answer(
      await gateway(new URL(notifyUrl).pathname, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: deep,
      }),
    )
    expect(refused.status).toBe(400)
    expect(refused.json.error.code).toBe("INVALID_JSON")
    const view = await answer(
      await gateway(`/v1/campaigns/${sent.json.campaignId}`, { token: TOKENS.alpha }),
    )
    expect(view.json.events).toEqual([])
  })
})
