import { describe, expect, it } from "vitest"
import { answer, dropBody, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

useHarness()

describe("what the gateway changed or noticed reaches the caller", () => {
  it("a clamped speechRate and a removed duplicate, in `warnings` beside the upstream's fields", async () => {
    const sent = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: { phoneNumbers: "0612345678, +33612345678", text: "Bonjour", speechRate: 3 },
      }),
    )
    expect(sent.status).toBe(200)
    expect(sent.json.success).toBe(true)
    expect(sent.json.warnings).toEqual([
      { field: "phoneNumbers", message: "1 duplicate removed" },
      { field: "speechRate", message: "3 is outside 0.5-2 and was clamped to 2" },
    ])
  })

  it("the landlines a voicemail drop will ring", async () => {
    const sent = await answer(
      await gateway("/v1/campaign/send", {
        token: TOKENS.alpha,
        json: dropBody("0612345678,0144556677"),
      }),
    )
    expect(sent.status).toBe(200)
    expect(sent.json.warnings).toEqual([
      {
        field: "phoneNumbers",
        message:
          "1 landline will ring: a voicemail drop rings landlines and leaves the message if nobody answers",
      },
    ])
  })

  it("no `warnings` when there is nothing to say", async () => {
    const sent = await answer(
      await gateway("/v1/tts/send", {
        token: TOKENS.alpha,
        json: { phoneNumbers: "0612345678", text: "Bonjour" },
      }),
    )
    expect(sent.json).not.toHaveProperty("warnings")
  })
})
