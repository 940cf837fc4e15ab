import { describe, expect, it } from "vitest"
import { answer, gateway, useHarness } from "./harness.js"
import { TOKENS } from "./testEnv.js"

const h = useHarness()

const schedule = async (token: string) => {
  const sent = await answer(
    await gateway("/v1/tts/send", {
      token,
      json: {
        phoneNumbers: "0612345678",
        text: "Plus tard",
        scheduledDate: new Date(Date.now() + 86_400_000).toISOString(),
      },
    }),
  )
  expect(sent.status).toBe(200)
  return sent.json.campaignId as string
}

const cancels = () => h.upstream.requests().filter((r) => r.path.includes("/campaign/cancel"))

describe("a client cancels only its own campaigns", () => {
  it("404 without calling the upstream for another client's campaign, Bearer or drop-in", async () => {
    const first = await schedule(TOKENS.alpha)
    const second = await schedule(TOKENS.alpha)
    const bearer = await answer(
      await gateway(`/v1/campaign/cancel/${first}`, { method: "DELETE", token: TOKENS.beta }),
    )
    const dropIn = await answer(
      await gateway(`/v1/campaign/cancel/${TOKENS.beta}/${second}`, { method: "DELETE" }),
    )
    for (const refused of [bearer, dropIn]) {
      expect(refused.status).toBe(404)
      expect(refused.json).toMatchObject({ success: false, error: { code: "NOT_FOUND" } })
      // Refused before the quota: no call to the quota object, no fields.
      expect(refused.headers.get("ratelimit")).toBeNull()
    }
    // Drop-in callers see the provider's field at the top level, as Voice Partner answers.
    expect(dropIn.json.code).toBe(404)
    expect(cancels()).toEqual([])
    // Campaigns nobody sent through the gateway are unknown too.
    const unknown = await answer(
      await gateway("/v1/campaign/cancel/NDA_20300101_00042", {
        method: "DELETE",
        token: TOKENS.alpha,
      }),
    )
    expect(unknown.status).toBe(404)
    expect(cancels()).toEqual([])
  })

  it("the owner cancels its own, Bearer and drop-in", async () => {
    const first = await schedule(TOKENS.alpha)
    const second = await schedule(TOKENS.alpha)
    const bearer = await answer(
      await gateway(`/v1/campaign/cancel/${first}`, { method: "DELETE", token: TOKENS.alpha }),
    )
    expect(bearer.status).toBe(200)
    expect(bearer.json).toMatchObject({ success: true, campaignId: first })
    const dropIn = await answer(
      await gateway(`/v1/campaign/cancel/${TOKENS.alpha}/${second}`, { method: "DELETE" }),
    )
    expect(dropIn.status).toBe(200)
    expect(dropIn.json).toMatchObject({ success: true, campaignId: second })
    expect(cancels()).toHaveLength(2)
  })

  it("a send whose outcome is unknown does not make its campaign id the client's", async () => {
    // The connection drops after the provider processed the send: no campaign id is known.
    h.upstream.setFaults({ dropAfterRate: 1 })
    const lost = await gateway("/v1/tts/send", {
      token: TOKENS.beta,
      json: {
        phoneNumbers: "0612345678",
        text: "Plus tard",
        scheduledDate: new Date(Date.now() + 86_400_000).toISOString(),
      },
    })
    expect(lost.status).toBe(502)
    h.upstream.setFaults({})
    const campaigns = Object.keys(h.upstream.snapshot().campaigns)
    expect(campaigns).toHaveLength(1)
    const refused = await answer(
      await gateway(`/v1/campaign/cancel/${campaigns[0]}`, {
        method: "DELETE",
        token: TOKENS.beta,
      }),
    )
    expect(refused.status).toBe(404)
    expect(cancels()).toEqual([])
  })
})
